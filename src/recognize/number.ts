import type { DigitCheck, DigitReading, NumberReading } from "./types.ts";

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

/**
 * Of a number's marks, the share the not-a-digit check must flag for the whole not to be read: a
 * line of letters has most of its marks flagged, a number of digits seldom two (writers 16–20's
 * 4-digit numbers on the pad: 8 marks flagged of 791, never two in one number).
 */
export const NOT_DIGITS_SHARE = 0.5;

/**
 * Why marks read as digits are not a number after all: most of them look like something other
 * than digits (letters, a drawing); null when they do not, or for one mark (a single digit keeps
 * the single-digit check's "not sure").
 */
export function whyNotDigits(
  digits: readonly DigitReading[],
  check: DigitCheck,
  share = NOT_DIGITS_SHARE,
): string | null {
  if (digits.length < 2) return null;
  const flagged = digits.filter((d) => check(d.input, d.probabilities)).length;
  if (flagged < share * digits.length) return null;
  return `${flagged} of its ${digits.length} marks do not look like digits (letters, or a drawing?)`;
}

/**
 * The number the digits spell, with its overall probability and, if it fails, why (`unreadable`:
 * a reason found beside whyUnreadable's, such as whyNotDigits').
 */
export function toNumberReading(
  digits: DigitReading[],
  timeMs: number,
  unreadable: string | null = whyUnreadable(digits),
): NumberReading {
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
