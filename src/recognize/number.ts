import type { DigitReading, NumberReading } from "./types.ts";

/** Below this top probability a part is not read as a digit at all (a letter, a scribble). */
export const MIN_DIGIT_PROBABILITY = 0.25;
/** The most digits one number may have; more ink parts than that is not one written number. */
export const MAX_DIGITS = 24;
/** A digit is not much wider than it is tall; a part wider than this (width / height) is not one. */
export const MAX_PART_ASPECT = 1.8;

/** The reason the digits found cannot be taken as a number, or null when they can. */
export function whyUnreadable(digits: readonly DigitReading[]): string | null {
  if (digits.length === 0) return "no ink to read";
  if (digits.length > MAX_DIGITS) {
    return `${digits.length} separate marks: more than a number of up to ${MAX_DIGITS} digits`;
  }
  const wide = digits.findIndex((d) => d.box.width > MAX_PART_ASPECT * d.box.height);
  if (wide >= 0) return `mark ${wide + 1} is too wide to be a digit`;
  const unlike = digits.findIndex((d) => d.probability < MIN_DIGIT_PROBABILITY);
  if (unlike >= 0) return `mark ${unlike + 1} does not look like a digit`;
  return null;
}

/** The number the digits spell, with its overall probability and, if it fails, why. */
export function toNumberReading(digits: DigitReading[], timeMs: number): NumberReading {
  const unreadable = whyUnreadable(digits);
  if (unreadable !== null) return { number: null, digits: [], probability: 0, unreadable, timeMs };
  return {
    number: digits.map((d) => d.digit).join(""),
    digits,
    probability: digits.reduce((p, d) => p * d.probability, 1),
    timeMs,
  };
}

/** The index of the most probable of ten probabilities (the first, on a tie). */
export function topDigit(probabilities: readonly number[]): number {
  let digit = 0;
  for (let d = 1; d < probabilities.length; d++) {
    if (probabilities[d] > probabilities[digit]) digit = d;
  }
  return digit;
}
