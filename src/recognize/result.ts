import { UserError } from "../util/errors.ts";

/** What a classification says: the same shape from the CLI and the web app. */
export interface Result {
  /** The most probable digit, 0–9. */
  digit: number;
  /** Its probability, 0–1. */
  probability: number;
  /** The probability of each digit 0–9. */
  probabilities: number[];
  /** Milliseconds the whole call took (preprocessing and inference). */
  timeMs: number;
}

/** The image holds no ink, so there is nothing to classify. */
export class EmptyImageError extends UserError {
  constructor(message = "no digit found: the image is empty (no ink)") {
    super(message);
    this.name = "EmptyImageError";
  }
}

/**
 * Probabilities from the model's ten outputs. The shipped models end in softmax; raw scores
 * (any negative, or not summing to 1) are put through one so every model reads the same way.
 */
export function toProbabilities(outputs: Float32Array | number[]): number[] {
  const values = Array.from(outputs);
  const sum = values.reduce((a, b) => a + b, 0);
  if (values.every((v) => v >= 0) && Math.abs(sum - 1) < 1e-3) return values;
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
