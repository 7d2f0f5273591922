/**
 * How each digit is shaped when people write a number, measured on numbers composed from the pen
 * strokes of writers 01–20 (3,600 digits): the mean and spread of log(width / height) of its ink,
 * and of log(height / the line's height). A grouping whose digits are shaped like no digit (two
 * digits read as one wide 8, a 5's flag read alone as a small 7) loses to one whose are.
 */
const ASPECT: readonly (readonly [number, number])[] = [
  [-0.121, 0.206],
  [-0.678, 0.396],
  [-0.166, 0.198],
  [-0.368, 0.161],
  [-0.467, 0.229],
  [-0.218, 0.196],
  [-0.48, 0.173],
  [-0.36, 0.204],
  [-0.494, 0.169],
  [-0.406, 0.188],
];
/** The composed numbers vary digit heights by ±15% only; people vary them more. */
const HEIGHT_SPREAD = 0.15;
/** Likewise widths: the measured spreads are widened by this factor. */
const ASPECT_WIDENING = 1.25;

/**
 * The log-likelihood (up to a constant) of a digit `digit` with this ink box in a line of digits
 * `lineHeight` high: 0 for a typical one, more negative the less it looks like that digit.
 */
export function shapeScore(digit: number, width: number, height: number, lineHeight: number) {
  const [mean, spread] = ASPECT[digit];
  const aspect = (Math.log(Math.max(1e-9, width / height)) - mean) / (spread * ASPECT_WIDENING);
  const tall = Math.log(Math.max(1e-9, height / lineHeight)) / HEIGHT_SPREAD;
  return -0.5 * (aspect * aspect + tall * tall);
}

/**
 * How often each digit is written in one, two, or three or more strokes (pendigits, writers 01–20,
 * 5,000 digits): most digits in one, a 4, 5 or 7 mostly in two. Floored at STROKE_COUNT_FLOOR so
 * that a habit the writers lacked (a 1 with a base, an 8 of two loops) stays well possible.
 */
const STROKE_COUNTS: readonly (readonly number[])[] = [
  [0.99, 0.008, 0.002],
  [0.985, 0.013, 0.002],
  [0.996, 0.002, 0.002],
  [0.994, 0.004, 0.002],
  [0.268, 0.725, 0.008],
  [0.155, 0.839, 0.006],
  [0.992, 0.006, 0.002],
  [0.127, 0.866, 0.008],
  [0.954, 0.044, 0.002],
  [0.925, 0.073, 0.002],
];
export const STROKE_COUNT_FLOOR = 0.1;

/** The log-probability of writing `digit` in `strokes` strokes. */
export function strokeCountScore(digit: number, strokes: number): number {
  const p = STROKE_COUNTS[digit][Math.min(3, Math.max(1, strokes)) - 1];
  return Math.log(Math.max(STROKE_COUNT_FLOOR, p));
}
