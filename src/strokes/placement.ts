import { PEN_FRACTION } from "../recognize/types.ts";
import type { Rng } from "../util/rng.ts";
import type { StrokeDigit } from "./dataset.ts";

/** A stroke on the pad: points in pad pixels, y growing downwards (screen order). */
export type PadPath = [number, number][];

/** How a person put one digit on the pad. */
export interface Placement {
  /** The digit's longer side as a fraction of the pad (a third of the pad to nearly all). */
  size: number;
  /** Where the digit sits in the room left free, 0 = flush left/top, 1 = flush right/bottom. */
  x: number;
  y: number;
  /** Pointer events seen: every `step`-th pen sample (a faster hand gives fewer events). */
  step: number;
}

/**
 * The pad's geometry, spelt once in src/recognize/types.ts: the pen is a tenth of the pad
 * (the tutorial's 20 px on 200), and strokes are rendered for the classifier on a CLASSIFY_SIDE
 * canvas — here (Node replay, stroke training set, calibration) as in the app, so that training
 * images and the Node figures match what the app feeds the model.
 */
export { CLASSIFY_SIDE, PEN_FRACTION as PAD_PEN_FRACTION } from "../recognize/types.ts";

export const CENTRED: Placement = { size: 0.7, x: 0.5, y: 0.5, step: 1 };

/** A random way of drawing: any size from a third of the pad to nearly all, anywhere, any speed. */
export function randomPlacement(rng: Rng): Placement {
  return {
    size: 1 / 3 + rng() * (0.92 - 1 / 3),
    x: rng(),
    y: rng(),
    step: 1 + Math.floor(rng() * 3),
  };
}

function subsample(stroke: [number, number][], step: number): [number, number][] {
  if (step <= 1 || stroke.length <= 2) return stroke;
  const kept = stroke.filter((_, i) => i % step === 0);
  const last = stroke[stroke.length - 1];
  if (kept[kept.length - 1] !== last) kept.push(last);
  return kept;
}

/**
 * Maps a digit's (or any pen sample's) tablet strokes onto a square pad of `padSize` pixels: y flipped (the tablet's y
 * grows upwards), aspect ratio kept, the longer side scaled to `placement.size` of the pad, and
 * the box placed so that the pen (`penWidth`) stays on the pad.
 */
export function placeOnPad(
  digit: Pick<StrokeDigit, "strokes">,
  padSize: number,
  placement: Placement,
  penWidth = padSize * PEN_FRACTION,
): PadPath[] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const stroke of digit.strokes) {
    for (const [x, y] of stroke) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  const margin = penWidth / 2 + 1;
  const room = padSize - 2 * margin;
  const longest = Math.max(maxX - minX, maxY - minY);
  const scale = longest > 0 ? Math.min(placement.size * padSize, room) / longest : 0;
  const width = (maxX - minX) * scale;
  const height = (maxY - minY) * scale;
  const left = margin + (room - width) * clamp01(placement.x);
  const top = margin + (room - height) * clamp01(placement.y);
  return digit.strokes.map((stroke) =>
    subsample(stroke, placement.step).map(
      ([x, y]) => [left + (x - minX) * scale, top + (maxY - y) * scale] as [number, number],
    ),
  );
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
