import type { StrokeDigit } from "./dataset.ts";

/**
 * The writer split of issue 6: writers 01–20 may be looked at while tuning; writers 21–30 are
 * held out and only reported.
 */
export type WriterGroup = "tune" | "heldOut";

/** The writer's number: "tra-07" → 7 (NaN for a name without one). */
export function writerNumber(writer: string): number {
  const match = /(\d+)\s*$/.exec(writer);
  return match ? Number(match[1]) : Number.NaN;
}

export function writerGroup(writer: string): WriterGroup {
  const n = writerNumber(writer);
  return n >= 1 && n <= 20 ? "tune" : "heldOut";
}

/**
 * Within the tuning writers, 01–15 may be trained on and 16–20 are kept apart to fit the
 * calibration (temperature) and to check choices on writers the model has not seen.
 */
export type WriterRole = "train" | "calibrate" | "heldOut";

export function writerRole(writer: string): WriterRole {
  const n = writerNumber(writer);
  return n >= 1 && n <= 15 ? "train" : n >= 16 && n <= 20 ? "calibrate" : "heldOut";
}

export function splitByWriter(digits: StrokeDigit[]): {
  tune: StrokeDigit[];
  heldOut: StrokeDigit[];
} {
  const tune: StrokeDigit[] = [];
  const heldOut: StrokeDigit[] = [];
  for (const d of digits) (writerGroup(d.writer) === "tune" ? tune : heldOut).push(d);
  return { tune, heldOut };
}
