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

/**
 * Lays `digits` (one writer's, in order) out as one number on a pad `aspect` times wider than
 * tall. Narrow digits (a 1) count as 0.4 heights wide when the gap is worked out, so that a
 * "15% overlap" never buries a 1 inside its neighbour.
 */
export function composeNumber(
  digits: readonly StrokeDigit[],
  rng: Rng,
  aspect = COMPOSE_ASPECT,
  ranges: ComposeRanges = REALISTIC,
): ComposedNumber {
  const shapes = digits.map(normalise);
  const gapShare = between(rng, ranges.gap);
  const slant = (rng() * 2 - 1) * ranges.slant;
  const driftPhase = rng() * Math.PI * 2;
  const driftAmount = (rng() * 2 - 1) * ranges.drift;
  const sizes = digits.map(() => 1 + (rng() * 2 - 1) * ranges.sizeJitter);
  const gaps = digits.map(() => Math.max(ranges.gap[0], gapShare + (rng() - 0.5) * 0.2));
  // Lay out at height 1, then scale the whole to the pad.
  const placed: { strokes: [number, number][][]; left: number; bottom: number }[] = [];
  let x = 0;
  for (const [i, shape] of shapes.entries()) {
    if (i > 0) {
      const meanWidth =
        (Math.max(0.4, shapes[i - 1].width * sizes[i - 1]) +
          Math.max(0.4, shape.width * sizes[i])) /
        2;
      x += gaps[i] * meanWidth;
    }
    const bottom =
      1 + driftAmount * Math.sin(driftPhase + (i / Math.max(1, digits.length - 1)) * Math.PI);
    const s = sizes[i];
    placed.push({
      strokes: shape.strokes.map((st) =>
        st.map(([px, py]) => [x + px * s, bottom - s + py * s] as [number, number]),
      ),
      left: x,
      bottom,
    });
    x += shape.width * s;
  }
  // Slant about the baseline, then fit: the digit height drawn, or smaller if it must fit.
  const all = placed.flatMap((p) => p.strokes.flat());
  for (const p of all) p[0] -= slant * (p[1] - 1);
  const minX = Math.min(...all.map((p) => p[0]));
  const maxX = Math.max(...all.map((p) => p[0]));
  const minY = Math.min(...all.map((p) => p[1]));
  const maxY = Math.max(...all.map((p) => p[1]));
  const margin = 0.08;
  const scale = Math.min(
    between(rng, ranges.height),
    (aspect - 2 * margin) / Math.max(1e-6, maxX - minX),
    (1 - 2 * margin) / Math.max(1e-6, maxY - minY),
  );
  const left = margin + rng() * (aspect - 2 * margin - (maxX - minX) * scale);
  const top = margin + rng() * (1 - 2 * margin - (maxY - minY) * scale);
  const strokes: PadStroke[] = [];
  const strokeDigit: number[] = [];
  for (const [i, p] of placed.entries()) {
    for (const st of p.strokes) {
      strokes.push(
        st.map(([px, py]) => ({ x: left + (px - minX) * scale, y: top + (py - minY) * scale })),
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
