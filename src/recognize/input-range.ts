import { UsageError } from "../util/errors.ts";

/**
 * The values a float input takes for black (lo) and white ink (hi). The preprocessed digit is
 * 0–1; a model trained on raw bytes wants 0–255, one trained on centred pixels −1–1.
 */
export interface InputRange {
  lo: number;
  hi: number;
}

/** The names `--input-range` and the app's picker accept, with the range each means. */
export const INPUT_RANGES: Record<string, InputRange> = {
  "0-1": { lo: 0, hi: 1 },
  "0-255": { lo: 0, hi: 255 },
  "-1-1": { lo: -1, hi: 1 },
};

/** Parses an `--input-range` value; a UsageError names the accepted ones. */
export function parseInputRange(text: string): InputRange {
  const range = INPUT_RANGES[text.trim().replace(/[–−]/g, "-")];
  if (!range) {
    throw new UsageError(
      `--input-range must be one of ${Object.keys(INPUT_RANGES).join(", ")}, not ${JSON.stringify(text)}`,
    );
  }
  return range;
}

export function formatRange(range: InputRange): string {
  const show = (v: number) => String(Number(v.toPrecision(4)));
  return `${show(range.lo)}–${show(range.hi)}`;
}
