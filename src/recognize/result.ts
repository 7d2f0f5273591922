import { UserError } from "../util/errors.ts";
import type { Result } from "./types.ts";

export type { Result } from "./types.ts";

/** The image holds no ink, so there is nothing to classify. */
export class EmptyImageError extends UserError {
  constructor(message = "no digit found: the image is empty (no ink)") {
    super(message);
    this.name = "EmptyImageError";
  }
}

/**
 * How far from 1 the sum of a softmax output may be and still be read as probabilities: an int8
 * softmax stores each of the ten values in steps of 1/256, so their sum can be off by ~10/512.
 */
const SOFTMAX_SUM_TOLERANCE = 0.05;

/**
 * Probabilities from the model's ten outputs. The shipped models end in softmax, whose outputs
 * are renormalized (quantized ones do not sum exactly to 1); raw scores (any negative, or a sum
 * far from 1) are put through a softmax so every model reads the same way.
 */
export function toProbabilities(outputs: Float32Array | number[]): number[] {
  const values = Array.from(outputs);
  const sum = values.reduce((a, b) => a + b, 0);
  if (values.every((v) => v >= 0 && v <= 1) && Math.abs(sum - 1) <= SOFTMAX_SUM_TOLERANCE) {
    return values.map((v) => v / sum);
  }
  const top = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** The Result for ten probabilities: the most probable digit (the first, on a tie). */
export function toResult(probabilities: number[], timeMs: number): Result {
  let digit = 0;
  for (let d = 1; d < probabilities.length; d++) {
    if (probabilities[d] > probabilities[digit]) digit = d;
  }
  return { digit, probability: probabilities[digit], probabilities, timeMs };
}
