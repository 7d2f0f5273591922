import type { Dataset } from "../data/mnist.ts";
import { elementCount } from "../tflite/graph.ts";
import { UserError } from "../util/errors.ts";
import { readRegularFile } from "../util/read-file.ts";
import { nodeWasmRoot } from "./node-litert.ts";
import { loadTfliteModel } from "./tflite-runtime.ts";

export interface TfliteEvaluation {
  model: string;
  n: number;
  correct: number;
  accuracy: number;
  seconds: number;
  /** Mean time of one inference through the runtime, in microseconds. */
  microsPerImage: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
}

/** Reads a .tflite file; a missing or unreadable one is a one-line UserError. */
/** Reads a model file a user names: a regular file, size-checked first (see util/read-file.ts). */
export function readModelFile(path: string): Promise<Uint8Array> {
  return readRegularFile(path, { maxBytes: 512 * 2 ** 20, what: "a model" });
}

/**
 * Runs every image of a dataset through a .tflite file with the official runtime (LiteRT) and
 * counts the digits it gets right. Pixels are fed as the DESIGN's model input: byte / 255.
 */
export async function evaluateTflite(
  path: string,
  dataset: Dataset,
  options: { limit?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<TfliteEvaluation> {
  return evaluateTfliteBytes(await readModelFile(path), path, dataset, options);
}

/** The same for a model's bytes (a Keras file converted in memory); `path` names it in messages. */
export async function evaluateTfliteBytes(
  bytes: Uint8Array,
  path: string,
  dataset: Dataset,
  options: { limit?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<TfliteEvaluation> {
  let model: Awaited<ReturnType<typeof loadTfliteModel>>;
  try {
    model = await loadTfliteModel(bytes, nodeWasmRoot());
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${path}: ${error.message}`);
    throw error;
  }
  const pixels = dataset.rows * dataset.cols;
  const inputLength = elementCount(model.inputShape);
  const classes = elementCount(model.outputShape);
  if (inputLength !== pixels || classes !== 10) {
    model.dispose();
    throw new UserError(
      `${path}: model takes [${model.inputShape}] and gives [${model.outputShape}]; expected ${pixels} pixels in, 10 classes out`,
    );
  }
  const n = Math.min(dataset.count, options.limit ?? dataset.count);
  const input = new Float32Array(pixels);
  let correct = 0;
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  const start = performance.now();
  try {
    for (let i = 0; i < n; i++) {
      const offset = i * pixels;
      for (let p = 0; p < pixels; p++) input[p] = dataset.images[offset + p] / 255;
      const out = model.run(input);
      let best = 0;
      for (let k = 1; k < 10; k++) if (out[k] > out[best]) best = k;
      if (best === dataset.labels[i]) correct++;
      confusion[dataset.labels[i]][best]++;
      if (options.onProgress && (i + 1) % 1000 === 0) options.onProgress(i + 1, n);
    }
  } finally {
    model.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    model: path,
    n,
    correct,
    accuracy: n > 0 ? correct / n : 0,
    seconds,
    microsPerImage: n > 0 ? (seconds * 1e6) / n : 0,
    confusion,
  };
}
