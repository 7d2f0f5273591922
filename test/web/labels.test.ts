// How the app words things: the model picker's readable labels and the one sentence announced
// per answer (digit, how sure, runner-up), or the doubt when the ink is not a digit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pickerLabel } from "../../web/models.ts";
import { announcement, NOT_A_DIGIT_MESSAGE, type ShownResult } from "../../web/results.ts";

test("model labels read 'CNN · 99.3% · 881 KB · default'", () => {
  const cnn = {
    file: "mnist_cnn.tflite",
    architecture: "cnn",
    quantization: "none",
    testAccuracy: 0.9928,
    sizeBytes: 902_432,
  };
  assert.equal(pickerLabel(cnn, "mnist_cnn.tflite"), "CNN · 99.3% · 881 KB · default");
  assert.equal(
    pickerLabel({ ...cnn, file: "m.tflite", architecture: "mlp", quantization: "int8" }, "x"),
    "MLP int8 · 99.3% · 881 KB",
  );
  assert.equal(pickerLabel({ file: "bare.tflite" }, null), "bare");
});

function result(probabilities: number[], notADigit = false): ShownResult {
  const digit = probabilities.indexOf(Math.max(...probabilities));
  return {
    digit,
    probability: probabilities[digit],
    probabilities,
    timeMs: 1,
    input: new Float32Array(784),
    notADigit,
  };
}

test("one announcement per answer names the runner-up", () => {
  const p = [0, 0, 0, 0, 0.9, 0, 0, 0, 0, 0.1];
  assert.equal(announcement(result(p)), "Digit 4, 90.0% sure; runner-up 9, 10.0%.");
  const doubt = announcement(result(p, true));
  assert.ok(doubt.startsWith(NOT_A_DIGIT_MESSAGE));
  assert.equal(doubt, "Not sure this is a digit. Best guess 4, 90.0%; runner-up 9, 10.0%.");
});
