import type { Classifier } from "../recognize/classifier.ts";
import { EmptyImageError } from "../recognize/result.ts";
import { createRng, shuffleInPlace } from "../util/rng.ts";
import { topChoice } from "./calibration.ts";
import type { StrokeDigit } from "./dataset.ts";
import {
  CLASSIFY_SIDE,
  PAD_PEN_FRACTION,
  type Placement,
  placeOnPad,
  randomPlacement,
} from "./placement.ts";
import { renderPaths } from "./render.ts";
import type { Reading } from "./report.ts";
import { writerGroup } from "./split.ts";

/** One digit to replay and how the person draws it this time. */
export interface Trial {
  digit: StrokeDigit;
  placement: Placement;
}

export type WriterSelection = "all" | "tune" | "held-out";

/** The digits to replay (a seeded random sample of `limit`, or all), each with a random drawing. */
export function planTrials(
  digits: StrokeDigit[],
  writers: WriterSelection,
  limit: number | undefined,
  seed: number,
): Trial[] {
  const rng = createRng(seed);
  let chosen = digits.filter(
    (d) => writers === "all" || writerGroup(d.writer) === (writers === "tune" ? "tune" : "heldOut"),
  );
  if (limit !== undefined && limit < chosen.length) {
    chosen = chosen.slice();
    shuffleInPlace(chosen, rng);
    chosen = chosen.slice(0, limit);
  }
  return chosen.map((digit) => ({ digit, placement: randomPlacement(rng) }));
}

/** What a digit that could not be read counts as: no digit favoured, so a miss. */
export const NO_ANSWER = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];

export function toReading(digit: StrokeDigit, probabilities: number[]): Reading {
  const { digit: predicted, probability } = topChoice(probabilities);
  return { label: digit.label, writer: digit.writer, predicted, probability, probabilities };
}

/**
 * Replays trials without a browser: the pad's drawing (pure TS copy of its rendering, on a
 * CLASSIFY_SIDE canvas) through the shared preprocessing and a loaded classifier.
 */
export function readTrials(trials: Trial[], classifier: Classifier): Reading[] {
  return trials.map(({ digit, placement }) => {
    const paths = placeOnPad(digit, CLASSIFY_SIDE, placement);
    const grey = renderPaths(paths, CLASSIFY_SIDE, CLASSIFY_SIDE * PAD_PEN_FRACTION);
    try {
      return toReading(
        digit,
        classifier.classify(grey, CLASSIFY_SIDE, CLASSIFY_SIDE).probabilities,
      );
    } catch (error) {
      // The app would say "no digit found": a miss, not a crash.
      if (!(error instanceof EmptyImageError)) throw error;
      return toReading(digit, NO_ANSWER);
    }
  });
}
