/**
 * "Is this a digit?" — a small check run after the classifier, so that a letter or a scribble is
 * not answered with a confident digit. Its inputs are what every front end has: the 784 model
 * inputs (pooled to 14×14) and the ten probabilities (as log-probabilities, plus the top three
 * sorted: the model's own doubt). One hidden layer scores them; above `threshold` the ink is
 * flagged. Weights and threshold come from `npm run calibrate:not-a-digit`
 * (scripts/calibrate-not-a-digit.ts), which fits them on real handwritten letters
 * (../shared/data/letters-unipen-dev.json) against pen-stroke digits of writers 01–15 and MNIST
 * training digits, picks the threshold on writers 16–20, and reports the curve. The shipped
 * weights are five fits averaged, laid side by side as one wider hidden layer. Pure TypeScript:
 * no Node, no DOM.
 */
import shipped from "./not-a-digit.json" with { type: "json" };

export interface NotADigitModel {
  /** Which classifier's probabilities the weights were fitted to (the check is tied to it). */
  fittedTo: string;
  /** Score above which the ink is flagged as not a digit. */
  threshold: number;
  /** Per-feature standardisation. */
  mean: number[];
  std: number[];
  hidden: number;
  /** Hidden layer, row-major [features][hidden], then its bias; output weights and bias. */
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
}

export const NOT_A_DIGIT_MODEL = shipped as NotADigitModel;

/** Side of the pooled image the check looks at (28 / 2). */
const POOLED = 14;
/** Log-probabilities below this are clipped: a probability of exactly 0 has no logarithm. */
const MIN_LOG_P = Math.log(1e-12);
/** Log-probabilities are divided by this so they sit near the pixels' 0–1 range. */
const LOG_SCALE = 10;

export const FEATURE_COUNT = POOLED * POOLED + 10 + 3;

/** The check's inputs: 196 pooled pixels, ten log-probabilities, the top three sorted. */
export function notADigitFeatures(
  input784: ArrayLike<number>,
  probabilities: readonly number[],
): Float32Array {
  const out = new Float32Array(FEATURE_COUNT);
  for (let y = 0; y < POOLED; y++) {
    for (let x = 0; x < POOLED; x++) {
      const i = 2 * y * 28 + 2 * x;
      out[y * POOLED + x] =
        (input784[i] + input784[i + 1] + input784[i + 28] + input784[i + 29]) / 4;
    }
  }
  const logs = probabilities.map((p) => Math.max(MIN_LOG_P, Math.log(p)) / LOG_SCALE);
  for (let d = 0; d < 10; d++) out[POOLED * POOLED + d] = logs[d] ?? MIN_LOG_P / LOG_SCALE;
  const top = [...logs].sort((a, b) => b - a);
  for (let k = 0; k < 3; k++) out[POOLED * POOLED + 10 + k] = top[2 - k];
  return out;
}

/** The check's score for some features: higher means less like a digit. */
export function notADigitScore(features: ArrayLike<number>, model = NOT_A_DIGIT_MODEL): number {
  const { hidden, mean, std, w1, b1, w2 } = model;
  const h = Float64Array.from(b1);
  for (let f = 0; f < mean.length; f++) {
    const z = (features[f] - mean[f]) / std[f];
    if (z === 0) continue;
    const row = f * hidden;
    for (let j = 0; j < hidden; j++) h[j] += z * w1[row + j];
  }
  let score = model.b2;
  for (let j = 0; j < hidden; j++) if (h[j] > 0) score += h[j] * w2[j];
  return score;
}

/** Whether ink (its 784 inputs) read as `probabilities` looks like something other than a digit. */
export function isNotADigit(
  input784: ArrayLike<number>,
  probabilities: readonly number[],
  model = NOT_A_DIGIT_MODEL,
): boolean {
  return notADigitScore(notADigitFeatures(input784, probabilities), model) > model.threshold;
}
