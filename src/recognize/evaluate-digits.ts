import type { Dataset } from "../data/mnist.ts";
import type { Classifier } from "./classifier.ts";

export interface DigitEvaluation {
  n: number;
  correct: number;
  accuracy: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
}

/**
 * Runs every image of a dataset through a Classifier, fed exactly as `predict` feeds a drawn
 * digit once preprocessed (the dataset's pixels are already 28×28 white on black: byte / 255),
 * and counts the digits it gets right.
 */
export function evaluateDigits(
  classifier: Classifier,
  dataset: Dataset,
  options: { limit?: number; onProgress?: (done: number, total: number) => void } = {},
): DigitEvaluation {
  const pixels = dataset.rows * dataset.cols;
  const n = Math.min(dataset.count, options.limit ?? dataset.count);
  const input = new Float32Array(pixels);
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const offset = i * pixels;
    for (let p = 0; p < pixels; p++) input[p] = dataset.images[offset + p] / 255;
    const { digit } = classifier.classifyInput(input);
    if (digit === dataset.labels[i]) correct++;
    confusion[dataset.labels[i]][digit]++;
    if (options.onProgress && (i + 1) % 1000 === 0) options.onProgress(i + 1, n);
  }
  return { n, correct, accuracy: n > 0 ? correct / n : 0, confusion };
}
