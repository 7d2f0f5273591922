import type { PadStroke } from "../recognize/types.ts";
import type { Rng } from "../util/rng.ts";
import type { StrokeDigit } from "./dataset.ts";

/**
 * A number composed from one writer's real digits, as that person might write it on a wide pad:
 * left to right, each digit a little bigger or smaller than the last, the baseline drifting, the
 * whole slanted, the gaps anywhere from a 15% overlap to wide.
 */
export interface ComposedNumber {
  writer: string;
  labels: number[];
  /** Strokes in pad units (the pad's height is 1), in writing order. */
  strokes: PadStroke[];
  /** Which digit each stroke belongs to. */
  strokeDigit: number[];
}

/** The number pad's shape (width / height) the composed numbers are placed on. */
export const COMPOSE_ASPECT = 4;

export interface ComposeRanges {
  /** Digit height as a share of the pad's height. */
  height: [number, number];
  /** Gap between neighbours as a share of their mean width (negative: they overlap). */
  gap: [number, number];
  /** Per-digit size change (±, a share of the height). */
  sizeJitter: number;
  /** Baseline drift (±, a share of the height, over the whole number). */
  drift: number;
  /** Slant: x shifts by this many heights per height (±). */
  slant: number;
}

export const REALISTIC: ComposeRanges = {
  height: [0.45, 0.8],
  gap: [-0.15, 0.8],
  sizeJitter: 0.15,
  drift: 0.12,
  slant: 0.2,
};

/** Touching numbers: from a 15% overlap to no gap, the rest as REALISTIC. */
export const TOUCHING: ComposeRanges = { ...REALISTIC, gap: [-0.15, 0] };

const between = (rng: Rng, [lo, hi]: [number, number]) => lo + rng() * (hi - lo);

/** A digit's strokes with y pointing down, its box's top-left at (0, 0), height 1. */
function normalise(digit: StrokeDigit): { strokes: [number, number][][]; width: number } {
  const points = digit.strokes.flat();
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const minX = Math.min(...xs);
  const maxY = Math.max(...ys);
  const height = Math.max(1e-6, maxY - Math.min(...ys));
  return {
    strokes: digit.strokes.map((s) =>
      s.map(([x, y]) => [(x - minX) / height, (maxY - y) / height] as [number, number]),
    ),
    width: (Math.max(...xs) - minX) / height,
  };
}

/** Where each digit of a number goes, laid out at height 1 (y down, the baseline near 1). */
export interface PlacedDigits {
  /** x shifts by this many heights per height above the baseline. */
  slant: number;
  /** Each digit's box: its left edge, its bottom and its height (its width is width × size). */
  boxes: { left: number; bottom: number; size: number }[];
}

/**
 * Lays out digits of the given widths (in heights) left to right: one gap share for the number
 * with a little jitter per gap, a size change per digit, a baseline drifting along a half sine,
 * one slant. Narrow digits (a 1) count as 0.4 heights wide when the gap is worked out, so that a
 * "15% overlap" never buries a 1 inside its neighbour.
 */
export function placeDigits(
  widths: readonly number[],
  rng: Rng,
  ranges: ComposeRanges = REALISTIC,
): PlacedDigits {
  const gapShare = between(rng, ranges.gap);
  const slant = (rng() * 2 - 1) * ranges.slant;
  const driftPhase = rng() * Math.PI * 2;
  const driftAmount = (rng() * 2 - 1) * ranges.drift;
  const sizes = widths.map(() => 1 + (rng() * 2 - 1) * ranges.sizeJitter);
  const gaps = widths.map(() => Math.max(ranges.gap[0], gapShare + (rng() - 0.5) * 0.2));
  const boxes: PlacedDigits["boxes"] = [];
  let x = 0;
  for (const [i, width] of widths.entries()) {
    if (i > 0) {
      const meanWidth =
        (Math.max(0.4, widths[i - 1] * sizes[i - 1]) + Math.max(0.4, width * sizes[i])) / 2;
      x += gaps[i] * meanWidth;
    }
    const bottom =
      1 + driftAmount * Math.sin(driftPhase + (i / Math.max(1, widths.length - 1)) * Math.PI);
    boxes.push({ left: x, bottom, size: sizes[i] });
    x += width * sizes[i];
  }
  return { slant, boxes };
}

/** The extent of a laid-out number, slant included, in layout units. */
export interface LayoutExtent {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/**
 * Fits a laid-out number onto a sheet of height 1 and width `aspect`: the digit height drawn, or
 * smaller if it must fit inside the margins, at a random place. A layout point (x, y) goes to
 * (left + (x − minX)·scale, top + (y − minY)·scale).
 */
export function fitToSheet(
  extent: LayoutExtent,
  rng: Rng,
  aspect = COMPOSE_ASPECT,
  ranges: ComposeRanges = REALISTIC,
): { scale: number; left: number; top: number } {
  const { minX, maxX, minY, maxY } = extent;
  const margin = 0.08;
  const scale = Math.min(
    between(rng, ranges.height),
    (aspect - 2 * margin) / Math.max(1e-6, maxX - minX),
    (1 - 2 * margin) / Math.max(1e-6, maxY - minY),
  );
  const left = margin + rng() * (aspect - 2 * margin - (maxX - minX) * scale);
  const top = margin + rng() * (1 - 2 * margin - (maxY - minY) * scale);
  return { scale, left, top };
}

/** The smallest box around points. */
export function extentOf(points: readonly (readonly [number, number])[]): LayoutExtent {
  return {
    minX: Math.min(...points.map((p) => p[0])),
    maxX: Math.max(...points.map((p) => p[0])),
    minY: Math.min(...points.map((p) => p[1])),
    maxY: Math.max(...points.map((p) => p[1])),
  };
}

/** Lays `digits` (one writer's, in order) out as one number on a pad `aspect` times wider than tall. */
export function composeNumber(
  digits: readonly StrokeDigit[],
  rng: Rng,
  aspect = COMPOSE_ASPECT,
  ranges: ComposeRanges = REALISTIC,
): ComposedNumber {
  const shapes = digits.map(normalise);
  const { slant, boxes } = placeDigits(
    shapes.map((s) => s.width),
    rng,
    ranges,
  );
  const placed = shapes.map((shape, i) => {
    const { left, bottom, size } = boxes[i];
    return shape.strokes.map((st) =>
      st.map(([px, py]) => [left + px * size, bottom - size + py * size] as [number, number]),
    );
  });
  // Slant about the baseline, then fit to the pad.
  const all = placed.flat(2);
  for (const p of all) p[0] -= slant * (p[1] - 1);
  const extent = extentOf(all);
  const { scale, left, top } = fitToSheet(extent, rng, aspect, ranges);
  const strokes: PadStroke[] = [];
  const strokeDigit: number[] = [];
  for (const [i, digitStrokes] of placed.entries()) {
    for (const st of digitStrokes) {
      strokes.push(
        st.map(([px, py]) => ({
          x: left + (px - extent.minX) * scale,
          y: top + (py - extent.minY) * scale,
        })),
      );
      strokeDigit.push(i);
    }
  }
  return {
    writer: digits[0]?.writer ?? "",
    labels: digits.map((d) => d.label),
    strokes,
    strokeDigit,
  };
}

/**
 * Numbers to read: for each, a writer and `length` of their digits picked at random (the same
 * writer throughout a number, as a person writes it).
 */
export function planNumbers(
  digits: readonly StrokeDigit[],
  lengths: readonly number[],
  count: number,
  rng: Rng,
): StrokeDigit[][] {
  const byWriter = new Map<string, StrokeDigit[]>();
  for (const d of digits) {
    const list = byWriter.get(d.writer) ?? [];
    list.push(d);
    byWriter.set(d.writer, list);
  }
  const writers = [...byWriter.keys()].sort();
  if (writers.length === 0) return [];
  const numbers: StrokeDigit[][] = [];
  for (const length of lengths) {
    for (let k = 0; k < count; k++) {
      const pool = byWriter.get(writers[Math.floor(rng() * writers.length)]) ?? [];
      numbers.push(Array.from({ length }, () => pool[Math.floor(rng() * pool.length)]));
    }
  }
  return numbers;
}
