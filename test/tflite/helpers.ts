import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { loadMnist } from "../../src/data/mnist.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { loadTfliteModel, type TfliteModel } from "../../src/runtime/tflite-runtime.ts";

/** The first `count` MNIST test digits as model inputs (byte / 255), with their labels. */
export async function testDigits(
  count: number,
): Promise<{ inputs: Float32Array; labels: Uint8Array; count: number }> {
  const { test } = await loadMnist();
  const n = Math.min(count, test.count);
  const inputs = Float32Array.from(test.images.subarray(0, n * 784), (v) => v / 255);
  return { inputs, labels: test.labels.subarray(0, n), count: n };
}

/** TF.js's outputs for a batch of flat 784-value inputs ([n,10], row-major), 500 at a time. */
export function tfjsOutputs(model: LayersModel, inputs: Float32Array, count: number): Float32Array {
  const out = new Float32Array(count * 10);
  const sample = model.inputs[0].shape.slice(1).map((d) => d ?? 1);
  for (let start = 0; start < count; start += 500) {
    const n = Math.min(500, count - start);
    const batch = inputs.subarray(start * 784, (start + n) * 784);
    const values = tf.tidy(() =>
      (model.predict(tf.tensor(batch, [n, ...sample])) as tf.Tensor).dataSync(),
    );
    out.set(values as Float32Array, start * 10);
  }
  return out;
}

/** The runtime's outputs for the same batch from a .tflite model's bytes, one inference at a time. */
export async function runtimeOutputs(
  bytes: Uint8Array,
  inputs: Float32Array,
  count: number,
): Promise<Float32Array> {
  const model = await loadRuntime(bytes);
  try {
    const out = new Float32Array(count * 10);
    for (let i = 0; i < count; i++)
      out.set(model.run(inputs.subarray(i * 784, (i + 1) * 784)), i * 10);
    return out;
  } finally {
    model.dispose();
  }
}

export function loadRuntime(bytes: Uint8Array): Promise<TfliteModel> {
  return loadTfliteModel(bytes, nodeWasmRoot());
}

export function argmax(values: ArrayLike<number>, offset = 0): number {
  let best = 0;
  for (let k = 1; k < 10; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Fraction of rows whose argmax agrees, and accuracy of `a` against labels. */
export function agreement(
  a: Float32Array,
  b: Float32Array,
  labels: Uint8Array,
): { same: number; accuracyA: number; accuracyB: number } {
  const n = labels.length;
  let same = 0;
  let correctA = 0;
  let correctB = 0;
  for (let i = 0; i < n; i++) {
    const da = argmax(a, i * 10);
    const db = argmax(b, i * 10);
    if (da === db) same++;
    if (da === labels[i]) correctA++;
    if (db === labels[i]) correctB++;
  }
  return { same: same / n, accuracyA: correctA / n, accuracyB: correctB / n };
}
