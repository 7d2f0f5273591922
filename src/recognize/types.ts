// The recognizer's contract: what the front ends (CLI, app, server, scripts) hand to
// src/recognize and what they get back. Everything a front end relies on is spelt here, once.

/** What a classification of one digit says: the same shape from the CLI and the web app. */
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

/**
 * The not-a-digit check (not-a-digit.ts) as a front end applies it: whether ink, its 784 inputs
 * read as `probabilities`, looks like something other than a digit. Only the model the check was
 * fitted to has one.
 */
export type DigitCheck = (input784: Float32Array, probabilities: readonly number[]) => boolean;

/** Anything that turns the 784 model inputs into a Result (the Classifier; tests pass their own). */
export interface DigitModel {
  classifyInput(input784: Float32Array): Result;
}

/**
 * The pad's geometry, shared by the app's pad and every Node replay of it: strokes are rendered
 * for the classifier with the pad's height (a square pad's side) as CLASSIFY_SIDE pixels and a pen
 * PEN_FRACTION of it wide (the tutorial's 20 px pen on a 200 px pad).
 */
export const CLASSIFY_SIDE = 140;
export const PEN_FRACTION = 0.1;

/** A point on the pad in pad units: the pad's height is 1, x grows to the right, y downwards. */
export interface PadPoint {
  x: number;
  y: number;
}
/** One pen stroke, its points in the order the pen went. */
export type PadStroke = PadPoint[];

/** A box in the input's own units (image pixels, or pad units for strokes). */
export interface DigitBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One digit of a number: its reading and where it is. */
export interface DigitReading {
  digit: number;
  probability: number;
  probabilities: number[];
  box: DigitBox;
  /** The 784 inputs the model saw for this digit (0–1, white ink on black). */
  input: Float32Array;
}

/** A number read from strokes or an image. */
export interface NumberReading {
  /** The digits, left to right, as a string ("2026"); null when the ink cannot be read as digits. */
  number: string | null;
  /** The digits found, left to right (empty when `number` is null). */
  digits: DigitReading[];
  /** The chance every digit is right: the product of the digits' probabilities. */
  probability: number;
  /** Why the ink cannot be read as digits, in plain words; only when `number` is null. */
  unreadable?: string;
  /** Milliseconds the whole reading took (splitting, preprocessing and inference). */
  timeMs: number;
}
