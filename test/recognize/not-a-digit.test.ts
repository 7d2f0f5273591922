// The "is this a digit?" check as shipped: its features are laid out as fitted, and on pen digits
// of the held-out writers (21–30) it stays quiet while it flags most real handwritten letters.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { defaultModelPath } from "../../src/cli/default-model.ts";
import { Classifier } from "../../src/recognize/classifier.ts";
import {
  FEATURE_COUNT,
  isNotADigit,
  NOT_A_DIGIT_MODEL,
  notADigitFeatures,
} from "../../src/recognize/not-a-digit.ts";
import { preprocess } from "../../src/recognize/preprocess.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { loadStrokeDigits } from "../../src/strokes/dataset.ts";
import { loadStrokeLetters } from "../../src/strokes/letters.ts";
import {
  CLASSIFY_SIDE,
  PAD_PEN_FRACTION,
  placeOnPad,
  randomPlacement,
} from "../../src/strokes/placement.ts";
import { renderPaths } from "../../src/strokes/render.ts";
import { writerGroup } from "../../src/strokes/split.ts";
import { createRng } from "../../src/util/rng.ts";

test("features: 14×14 pooled pixels, ten log-probabilities, the top three sorted", () => {
  const input = new Float32Array(784);
  input[0] = 1; // pixel (0,0) is a quarter of pooled cell 0
  const p = [0.5, 0.25, 0.125, 0.125, 0, 0, 0, 0, 0, 0];
  const f = notADigitFeatures(input, p);
  assert.equal(f.length, FEATURE_COUNT);
  assert.equal(NOT_A_DIGIT_MODEL.mean.length, FEATURE_COUNT);
  assert.equal(NOT_A_DIGIT_MODEL.w1.length, FEATURE_COUNT * NOT_A_DIGIT_MODEL.hidden);
  assert.equal(f[0], 0.25);
  assert.ok(Math.abs(f[196] - Math.log(0.5) / 10) < 1e-6);
  assert.ok(Math.abs(f[200] - Math.log(1e-12) / 10) < 1e-6, "zero is clipped, not -Infinity");
  assert.deepEqual(
    Array.from(f.subarray(206)).map((v) => Number((v * 10).toFixed(4))),
    [Math.log(0.125), Math.log(0.25), Math.log(0.5)].map((v) => Number(v.toFixed(4))),
  );
});

test("the shipped check flags most letters and few held-out digits", async () => {
  assert.equal(NOT_A_DIGIT_MODEL.fittedTo, "mnist_cnn.tflite");
  const classifier = await Classifier.load(readFileSync(defaultModelPath()), nodeWasmRoot());
  const rng = createRng(3);
  const flagged = (strokes: [number, number][][]) => {
    const paths = placeOnPad({ strokes }, CLASSIFY_SIDE, randomPlacement(rng));
    const grey = renderPaths(paths, CLASSIFY_SIDE, CLASSIFY_SIDE * PAD_PEN_FRACTION);
    const input = preprocess(grey, CLASSIFY_SIDE, CLASSIFY_SIDE)!;
    return isNotADigit(input, classifier.classifyInput(input).probabilities);
  };
  try {
    const held = loadStrokeDigits().filter((d) => writerGroup(d.writer) === "heldOut");
    const digitRate = held.filter((d) => flagged(d.strokes)).length / held.length;
    const letters = loadStrokeLetters();
    const letterRate = letters.filter((l) => flagged(l.strokes)).length / letters.length;
    console.log(
      `held-out digits flagged ${(digitRate * 100).toFixed(2)}% of ${held.length}; letters ${(letterRate * 100).toFixed(1)}% of ${letters.length}`,
    );
    // Calibration: 0.88% and 91.3% (unseen writers' letters); these letters were mostly fitted on.
    // This drawing of the held-out digits (seed 3) flags 0.64%; issue 14's bound is 1%.
    assert.ok(digitRate <= 0.01, `held-out digits flagged: ${digitRate}`);
    assert.ok(letterRate >= 0.9, `letters flagged: ${letterRate}`);
  } finally {
    classifier.dispose();
  }
});
