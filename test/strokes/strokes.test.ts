import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyTemperature,
  expectedCalibrationError,
  fitTemperature,
  type Scored,
} from "../../src/strokes/calibration.ts";
import {
  loadStrokeDigits,
  parseStrokeDigits,
  type StrokeDigit,
} from "../../src/strokes/dataset.ts";
import { placeOnPad, randomPlacement } from "../../src/strokes/placement.ts";
import { renderPaths } from "../../src/strokes/render.ts";
import { summarise } from "../../src/strokes/report.ts";
import { splitByWriter, writerGroup, writerRole } from "../../src/strokes/split.ts";
import { createRng } from "../../src/util/rng.ts";

test("the writer split: 01–20 tune (01–15 train, 16–20 calibrate), 21–30 held out", () => {
  const digits = loadStrokeDigits();
  assert.equal(digits.length, 7494);
  const { tune, heldOut } = splitByWriter(digits);
  const numbers = (ds: StrokeDigit[]) => [...new Set(ds.map((d) => Number(d.writer.slice(4))))];
  assert.deepEqual(
    numbers(tune).sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  assert.deepEqual(
    numbers(heldOut).sort((a, b) => a - b),
    Array.from({ length: 10 }, (_, i) => i + 21),
  );
  assert.equal(writerGroup("tra-20"), "tune");
  assert.equal(writerGroup("tra-21"), "heldOut");
  assert.equal(writerRole("tra-15"), "train");
  assert.equal(writerRole("tra-16"), "calibrate");
  assert.equal(writerRole("tra-30"), "heldOut");
});

test("a malformed stroke file is one clear error", () => {
  assert.throws(() => parseStrokeDigits({}, "x.json"), /expected a JSON array/);
  assert.throws(
    () => parseStrokeDigits([{ label: 3, writer: "tra-01", strokes: [[[1]]] }], "x.json"),
    /item 0/,
  );
});

/** Ink in a band of rows, as a share of all ink. */
function inkShare(grey: Uint8ClampedArray, size: number, fromRow: number, toRow: number) {
  let band = 0;
  let all = 0;
  for (let i = 0; i < grey.length; i++) {
    all += grey[i];
    const row = Math.floor(i / size);
    if (row >= fromRow && row < toRow) band += grey[i];
  }
  return band / all;
}

test("strokes are drawn where they are, with y flipped (the tablet's y grows upwards)", () => {
  // An "L": down the left side, then along the bottom — bottom is y = 0 on the tablet.
  const digit: StrokeDigit = {
    label: 4,
    writer: "tra-01",
    strokes: [
      [
        [0, 100],
        [0, 50],
        [0, 0],
        [60, 0],
        [100, 0],
      ],
    ],
  };
  const size = 200;
  const paths = placeOnPad(digit, size, { size: 0.8, x: 0.5, y: 0.5, step: 1 }, 20);
  const grey = renderPaths(paths, size, 20);
  // The horizontal bar lands at the bottom of the pad, so the lower fifth holds most ink rows.
  assert.ok(inkShare(grey, size, 150, 200) > 0.4, "bottom band has the bar");
  assert.ok(inkShare(grey, size, 0, 50) < 0.25, "top band has only the upright");
  // Left column is inked top to bottom; the right end of the top row is not.
  const at = (x: number, y: number) => grey[y * size + x];
  assert.equal(at(Math.round(paths[0][0][0]), Math.round(paths[0][0][1])), 255);
  assert.equal(at(Math.round(paths[0][4][0]) - 2, Math.round(paths[0][4][1])), 255);
  assert.equal(at(Math.round(paths[0][4][0]), Math.round(paths[0][0][1])), 0);
  // Round caps: ink reaches half a pen beyond the end point, not further.
  const [ex, ey] = paths[0][4];
  assert.ok(at(Math.round(ex + 8), Math.round(ey)) > 0);
  assert.equal(at(Math.round(ex + 12), Math.round(ey)), 0);
});

test("placements vary in size (a third of the pad to nearly all) and position, inside the pad", () => {
  const rng = createRng(3);
  const digit = loadStrokeDigits()[0];
  const sizes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const placement = randomPlacement(rng);
    sizes.push(placement.size);
    const paths = placeOnPad(digit, 280, placement);
    for (const [x, y] of paths.flat()) {
      assert.ok(x >= 14 && x <= 266 && y >= 14 && y <= 266, `point ${x},${y} leaves the pad`);
    }
  }
  assert.ok(Math.min(...sizes) >= 1 / 3 && Math.min(...sizes) < 0.4);
  assert.ok(Math.max(...sizes) <= 0.92 && Math.max(...sizes) > 0.85);
});

test("temperature scaling recovers an over-confident model's temperature and lowers its ECE", () => {
  const rng = createRng(9);
  const items: Scored[] = [];
  for (let i = 0; i < 3000; i++) {
    const logits = Array.from({ length: 10 }, () => 2.5 * rng());
    const truth = applyTemperature(
      logits.map((z) => Math.exp(z)),
      1,
    );
    let u = rng();
    let label = 9;
    for (let d = 0; d < 10; d++) {
      u -= truth[d];
      if (u < 0) {
        label = d;
        break;
      }
    }
    // The model reports logits twice as large as the truth: over-confident, T = 2 fixes it.
    items.push({ label, probabilities: applyTemperature(truth, 0.5) });
  }
  const t = fitTemperature(items);
  assert.ok(Math.abs(t - 2) < 0.25, `fitted T = ${t}`);
  const fixed = items.map((i) => ({ ...i, probabilities: applyTemperature(i.probabilities, t) }));
  assert.ok(expectedCalibrationError(fixed) < expectedCalibrationError(items) / 2);
});

test("the report splits tune and held-out writers and counts the confusion", () => {
  const r = (label: number, predicted: number, writer: string) => ({
    label,
    predicted,
    writer,
    probability: 0.9,
    probabilities: Array.from({ length: 10 }, (_, d) => (d === predicted ? 0.9 : 0.1 / 9)),
  });
  const report = summarise([r(7, 7, "tra-01"), r(7, 2, "tra-02"), r(1, 1, "tra-25")]);
  assert.equal(report.tune.n, 2);
  assert.equal(report.tune.accuracy, 0.5);
  assert.equal(report.heldOut.accuracy, 1);
  assert.equal(report.confusion[7][2], 1);
  assert.equal(report.perDigit[7].accuracy, 0.5);
  assert.equal(report.perWriter["tra-25"].correct, 1);
});
