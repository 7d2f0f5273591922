// The MNIST numbers the line reader trains on (train:line-reader --mnist): MNIST digits laid out
// left to right and photographed on paper, which the app's own image splitter must read as those
// digits, with each digit's centre where its ink is.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { renderBitmapNumberScan } from "../../scripts/lib/mnist-lines.ts";
import { defaultModelPath } from "../../src/cli/default-model.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { Classifier } from "../../src/recognize/classifier.ts";
import { readImageNumber } from "../../src/recognize/split-image.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { createRng } from "../../src/util/rng.ts";

test("MNIST numbers on paper are read as their digits, each centred on its ink", async () => {
  const { test: digits } = await loadMnist();
  const classifier = await Classifier.load(readFileSync(defaultModelPath()), nodeWasmRoot());
  const rng = createRng(3);
  const wide = { height: [0.5, 0.7] as [number, number], gap: [0.4, 0.8] as [number, number] };
  let read = 0;
  try {
    for (let n = 0; n < 20; n++) {
      const indices = Array.from({ length: 3 }, () => Math.floor(rng() * digits.count));
      const ranges = { sizeJitter: 0.1, drift: 0.05, slant: 0.1, ...wide };
      const scan = renderBitmapNumberScan(digits, indices, rng, ranges);
      assert.deepEqual(
        scan.labels,
        indices.map((i) => digits.labels[i]),
      );
      assert.equal(scan.rgba.length, scan.width * scan.height * 4);
      // Left to right, and dark ink in each centre's column (the paper is 200 or brighter).
      for (const [k, centre] of scan.centres.entries()) {
        if (k > 0) assert.ok(centre > scan.centres[k - 1], `digit ${k} is left of the one before`);
        const x = Math.round(centre);
        let darkest = 255;
        for (let y = 0; y < scan.height; y++) {
          darkest = Math.min(darkest, scan.rgba[(y * scan.width + x) * 4]);
        }
        assert.ok(darkest < 150, `no ink at digit ${k}'s centre (darkest ${darkest})`);
      }
      const reading = readImageNumber(scan.rgba, scan.width, scan.height, classifier);
      if (reading.number === scan.labels.join("")) read++;
    }
  } finally {
    classifier.dispose();
  }
  // Upside down, mirrored or smeared digits would not be read: MNIST's test digits are, singly,
  // 99% of the time, so three well spaced ones should be most of the time.
  assert.ok(read >= 15, `only ${read} of 20 spaced MNIST numbers read right`);
});
