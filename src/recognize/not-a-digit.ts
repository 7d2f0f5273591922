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
import { mlpLogit, READING_FEATURES, readingFeatures, type SmallMlp } from "./small-mlp.ts";

export interface NotADigitModel extends SmallMlp {
  /** Which classifier's probabilities the weights were fitted to (the check is tied to it). */
  fittedTo: string;
  /** Score above which the ink is flagged as not a digit. */
  threshold: number;
}

export const NOT_A_DIGIT_MODEL = shipped as NotADigitModel;

export const FEATURE_COUNT = READING_FEATURES + 3;

/** The check's inputs: 196 pooled pixels, ten log-probabilities, the top three (ascending). */
export function notADigitFeatures(
  input784: ArrayLike<number>,
  probabilities: readonly number[],
): Float32Array {
  const out = new Float32Array(FEATURE_COUNT);
  const top = readingFeatures(input784, probabilities, out).sort((a, b) => b - a);
  for (let k = 0; k < 3; k++) out[READING_FEATURES + k] = top[2 - k];
  return out;
}

/** The check's score for some features: higher means less like a digit. */
export function notADigitScore(features: ArrayLike<number>, model = NOT_A_DIGIT_MODEL): number {
  return mlpLogit(features, model);
}

/** Whether ink (its 784 inputs) read as `probabilities` looks like something other than a digit. */
export function isNotADigit(
  input784: ArrayLike<number>,
  probabilities: readonly number[],
  model = NOT_A_DIGIT_MODEL,
): boolean {
  return notADigitScore(notADigitFeatures(input784, probabilities), model) > model.threshold;
}

/**
 * Whether the check applies to a model, told by its file name (a path or a bare name): the check
 * is fitted to one model's probabilities, and other models answer without it.
 */
export function checksModel(fileName: string, model = NOT_A_DIGIT_MODEL): boolean {
  return fileName.split("/").pop() === model.fittedTo;
}
