import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { Dataset } from "../data/mnist.ts";
import { inputShapeOf } from "./architectures.ts";
import { scoreProbabilities } from "./loss.ts";

export interface Evaluation {
  n: number;
  loss: number;
  accuracy: number;
  /** Predicted class of every sample. */
  predictions: Uint8Array;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
}

/** Counts of (true label, predicted label) pairs: rows are the truth. */
export function confusionMatrix(
  labels: Uint8Array,
  predictions: Uint8Array,
  classes = 10,
): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predictions.length; i++) matrix[labels[i]][predictions[i]]++;
  return matrix;
}

/** Scores a Layers model on a data set (inputs byte/255, shaped as the model expects). */
export function evaluateModel(model: tfl.LayersModel, data: Dataset, batch = 1000): Evaluation {
  const inputShape = inputShapeOf(model);
  const pixels = data.rows * data.cols;
  if (inputShape.reduce((a, b) => a * b, 1) !== pixels) {
    throw new Error(
      `model input ${inputShape.join("×")} does not fit ${data.rows}×${data.cols} images`,
    );
  }
  const predictions = new Uint8Array(data.count);
  let loss = 0;
  let correct = 0;
  for (let from = 0; from < data.count; from += batch) {
    const n = Math.min(batch, data.count - from);
    const x = new Float32Array(n * pixels);
    for (let j = 0; j < x.length; j++) x[j] = data.images[from * pixels + j] / 255;
    const probs = tf.tidy(() => {
      const output = model.predict(tf.tensor(x, [n, ...inputShape])) as tf.Tensor;
      return output.dataSync() as Float32Array;
    });
    const labels = data.labels.subarray(from, from + n);
    const s = scoreProbabilities(probs, labels, n, 10, predictions.subarray(from, from + n));
    loss += s.loss;
    correct += s.correct;
  }
  return {
    n: data.count,
    loss: loss / data.count,
    accuracy: correct / data.count,
    predictions,
    confusion: confusionMatrix(data.labels.subarray(0, data.count), predictions),
  };
}

/** The confusion matrix as aligned text, rows = true digit, columns = predicted digit. */
export function formatConfusion(matrix: number[][]): string {
  const width = Math.max(4, ...matrix.flat().map((v) => String(v).length + 1));
  const header = `true\\pred${matrix.map((_, c) => String(c).padStart(width)).join("")}`;
  const rows = matrix.map(
    (row, r) => `${String(r).padStart(9)}${row.map((v) => String(v).padStart(width)).join("")}`,
  );
  return [header, ...rows].join("\n");
}
