/** Any array of numbers that can be written (number[], Float32Array, Float64Array). */
export interface NumberArray {
  length: number;
  [index: number]: number;
}

/**
 * exp(beta·(z − max)) / Σ over `count` values of `z` from `start`, `stride` apart, in place;
 * returns `z`. The max is subtracted first so large scores cannot overflow. The one softmax of
 * the code base: training engines (rows or columns of a batch), the reference interpreter,
 * result probabilities and temperature scaling all call it.
 */
export function softmaxInPlace<T extends NumberArray>(
  z: T,
  start = 0,
  count = z.length - start,
  stride = 1,
  beta = 1,
): T {
  const end = start + count * stride;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = start; i < end; i += stride) max = Math.max(max, z[i]);
  let sum = 0;
  for (let i = start; i < end; i += stride) {
    const e = Math.exp(beta * (z[i] - max));
    z[i] = e;
    sum += e;
  }
  for (let i = start; i < end; i += stride) z[i] /= sum;
  return z;
}

/** Softmax of a vector as a new Float32Array. */
export function softmax(values: ArrayLike<number>, beta = 1): Float32Array {
  return softmaxInPlace(Float32Array.from(values), 0, values.length, 1, beta);
}
