// The app's small TypeScript path against the official runtime (LiteRT): for every shipped model
// it plans, the same digit and probabilities within 1e-5 on real pen digits, letters, noise and
// a blank; the models it does not plan (quantized ones) are left to LiteRT.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { preprocess } from "../../src/recognize/preprocess.ts";
import { toProbabilities, toResult } from "../../src/recognize/result.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { planPlainModel } from "../../src/runtime/plain-model.ts";
import { loadTfliteModel } from "../../src/runtime/tflite-runtime.ts";
import { loadStrokeDigits } from "../../src/strokes/dataset.ts";
import { loadStrokeLetters } from "../../src/strokes/letters.ts";
import {
  CLASSIFY_SIDE,
  PAD_PEN_FRACTION,
  placeOnPad,
  randomPlacement,
} from "../../src/strokes/placement.ts";
import { renderPaths } from "../../src/strokes/render.ts";
import { createRng } from "../../src/util/rng.ts";

const MODELS = "models";
const TOLERANCE = 1e-5;

/** 784-input images: 200 pen digits and 50 letters as the pad draws them, noise, a blank. */
function inputs(): Float32Array[] {
  const rng = createRng(7);
  const digits = loadStrokeDigits();
  const letters = loadStrokeLetters();
  const strokes = [
    ...Array.from({ length: 200 }, (_, i) => digits[Math.floor((i * digits.length) / 200)].strokes),
    ...Array.from({ length: 50 }, (_, i) => letters[Math.floor((i * letters.length) / 50)].strokes),
  ];
  const out: Float32Array[] = [];
  for (const s of strokes) {
    const paths = placeOnPad({ strokes: s }, CLASSIFY_SIDE, randomPlacement(rng));
    const grey = renderPaths(paths, CLASSIFY_SIDE, CLASSIFY_SIDE * PAD_PEN_FRACTION);
    const input = preprocess(grey, CLASSIFY_SIDE, CLASSIFY_SIDE);
    if (input) out.push(input);
  }
  out.push(Float32Array.from({ length: 784 }, () => rng()));
  out.push(new Float32Array(784));
  return out;
}

test("the TypeScript path answers as LiteRT does for every shipped float model", async () => {
  const images = inputs();
  const planned: string[] = [];
  for (const file of readdirSync(MODELS)
    .filter((f) => f.endsWith(".tflite"))
    .sort()) {
    const bytes = readFileSync(join(MODELS, file));
    const plain = planPlainModel(bytes);
    const card = JSON.parse(readFileSync(join(MODELS, file.replace(/\.tflite$/, ".json")), "utf8"));
    if (!plain) {
      assert.notEqual(
        card.quantization ?? "none",
        "none",
        `${file}: a float model must be planned`,
      );
      continue;
    }
    planned.push(file);
    const official = await loadTfliteModel(bytes, nodeWasmRoot());
    try {
      assert.deepEqual(plain.inputShape, official.inputShape);
      assert.deepEqual(plain.outputShape, official.outputShape);
      let worst = 0;
      for (const [i, x] of images.entries()) {
        const a = toResult(toProbabilities(plain.run(x)), 0);
        const b = toResult(toProbabilities(official.run(x)), 0);
        assert.equal(a.digit, b.digit, `${file}, image ${i}: digit`);
        for (let d = 0; d < 10; d++) {
          worst = Math.max(worst, Math.abs(a.probabilities[d] - b.probabilities[d]));
        }
      }
      console.log(
        `${file}: ${images.length} images, probabilities differ by at most ${worst.toExponential(2)}`,
      );
      assert.ok(worst <= TOLERANCE, `${file}: probabilities differ by ${worst}`);
    } finally {
      official.dispose();
    }
  }
  assert.ok(planned.includes("mnist_cnn.tflite"), "the default model runs on the small path");
  assert.ok(planned.includes("mnist_mlp.tflite"));
});

test("a graph the small path does not know is left to the official runtime", () => {
  const int8 = readFileSync(join(MODELS, "mnist_mlp_int8.tflite"));
  assert.equal(planPlainModel(int8), null);
  const cnn = planPlainModel(readFileSync(join(MODELS, "mnist_cnn.tflite")))!;
  assert.throws(() => cnn.run(new Float32Array(10)), /expected 784 inputs/);
});
