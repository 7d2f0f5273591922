// The app's small decisions, outside the browser: the runner-up hint, number formats, which model
// opens first, how a model is described in the picker.
import assert from "node:assert/strict";
import { test } from "node:test";
import { describe, initialModel } from "../../web/models.ts";
import { formatMs, formatPercent, RUNNER_UP_THRESHOLD, runnerUpHint } from "../../web/results.ts";

function probabilities(entries: Record<number, number>): number[] {
  return Array.from({ length: 10 }, (_, digit) => entries[digit] ?? 0);
}

test("the runner-up is named only when the top probability is under the threshold", () => {
  assert.equal(runnerUpHint(probabilities({ 4: 0.55, 9: 0.4, 7: 0.05 })), "4 or 9?");
  assert.equal(runnerUpHint(probabilities({ 9: 0.5, 4: 0.45, 1: 0.05 })), "9 or 4?");
  assert.equal(runnerUpHint(probabilities({ 3: 0.99, 8: 0.01 })), null);
  assert.equal(runnerUpHint(probabilities({ 3: RUNNER_UP_THRESHOLD, 8: 0.1 })), null);
  assert.equal(runnerUpHint(probabilities({ 3: 0.7, 8: 0.3 }), 0.6), null);
});

test("probabilities and times read like 97.3% and 1.2 ms", () => {
  assert.equal(formatPercent(0.97312), "97.3%");
  assert.equal(formatPercent(1), "100.0%");
  assert.match(formatMs(1.234), /^1\.23 ms$/);
  assert.equal(formatMs(12.34), "12.3 ms");
});

test("?model= picks a shipped model; otherwise the CNN (as predict), else the first", () => {
  const cards = [{ file: "mnist_mlp.tflite" }, { file: "mnist_cnn.tflite" }];
  assert.equal(initialModel(cards, "?model=mnist_mlp.tflite"), "mnist_mlp.tflite");
  assert.equal(initialModel(cards, ""), "mnist_cnn.tflite");
  assert.equal(initialModel(cards, "?model=../../etc/passwd"), "mnist_cnn.tflite");
  assert.equal(initialModel([{ file: "mnist_mlp.tflite" }], ""), "mnist_mlp.tflite");
  assert.equal(initialModel([{ file: "x.tflite" }], ""), "x.tflite");
  assert.equal(initialModel([], ""), null);
});

test("the picker shows the file name first, then what the card says", () => {
  assert.equal(
    describe({
      file: "mnist_mlp.tflite",
      architecture: "mlp",
      quantization: "none",
      testAccuracy: 0.9812,
      sizeBytes: 2_680_160,
    }),
    "mnist_mlp.tflite (mlp, none, 98.1% on MNIST, 2617 KB)",
  );
  assert.equal(describe({ file: "m.tflite", testAccuracy: 97.5 }), "m.tflite (97.5% on MNIST)");
  assert.equal(describe({ file: "bare.tflite" }), "bare.tflite");
});
