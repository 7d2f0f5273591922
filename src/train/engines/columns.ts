// Column-major helpers of the two Dense engines (activations kept features × samples), apart
// from TF.js so that the native engine loads without it.
import { softmaxInPlace } from "../../util/softmax.ts";

/** Softmax down each column of a (classes × n) matrix, in place; returns it. */
export function softmaxColumns(z: Float32Array, n: number): Float32Array {
  const classes = z.length / n;
  for (let k = 0; k < n; k++) softmaxInPlace(z, k, classes, n);
  return z;
}

/** Writes a (rows × n) block into columns [lo, lo+n) of a (rows × stride) matrix at `offset`. */
export function writeColumns(
  target: Float32Array,
  offset: number,
  stride: number,
  lo: number,
  block: Float32Array,
  rows: number,
  n: number,
): void {
  for (let r = 0; r < rows; r++) {
    target.set(block.subarray(r * n, r * n + n), offset + r * stride + lo);
  }
}
