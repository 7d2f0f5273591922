// Choosing how a row of ink parts (pen strokes, or an image's connected parts and slices) makes
// digits: every way of grouping neighbouring parts that could be one digit is read by the
// classifier, and the grouping whose digits the classifier is surest of wins (a shortest path
// over the parts, so the work is bounded by parts × MAX_PARTS readings, not by the groupings).

import { shapeScore } from "./digit-shapes.ts";

/** Inclusive-exclusive box: x in [left, right), y in [top, bottom). */
export interface Span {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** What the classifier said about one group of parts. */
export interface GroupReading {
  probabilities: number[];
  input: Float32Array;
}

/** One digit of the chosen grouping: parts [from, to) of the sorted row. */
export interface Segment {
  from: number;
  to: number;
  box: Span;
  reading: GroupReading;
}

export interface SegmentOptions {
  /**
   * For each pair of neighbours (part k and k + 1), the chance from their shapes and places alone
   * that they belong to one digit (0–1). The classifier's word is weighed against it.
   */
  join?: readonly number[];
  /** The most parts one digit may be made of (strokes of a digit, pieces of broken ink). */
  maxParts: number;
  /** The widest blank run inside one digit, in line heights (a 5's flag is near its body). */
  maxInnerGap: number;
  /** The widest one digit may be, in line heights (several parts only). */
  maxWidth: number;
  /** A score (log-probability) for a digit made of this many parts (pen strokes), if it matters. */
  partsScore?: (digit: number, parts: number) => number;
  /**
   * A score added for each digit of a grouping. Every digit adds its own (negative) log-probability,
   * so without it fewer, wider digits win by default: a squeezed pair read as one.
   */
  digitBonus?: number;
  /**
   * A score (a log-probability) added for reading parts [from, to) as one digit, beside the
   * classifier's: the image splitter's judge of whether the candidate is one whole digit.
   */
  groupScore?: (from: number, to: number, reading: GroupReading, height: number) => number;
  /**
   * Called with each candidate's score before its digit bonus and groupScore (for fitting the
   * image splitter's judge on whole groupings: scripts/lib/fit-grouping.ts).
   */
  scored?: (from: number, to: number, digit: number, score: number) => void;
}

/** Odds beyond which a join (or a split) between neighbours is taken as given, and not read. */
export const SURE_JOIN = 0.97;
/** How much the parts' geometry counts beside the classifier's log-probability. */
/** How much the number of strokes (digit-shapes.ts) counts. */
export const PARTS_WEIGHT = 0.5;
export const GEOMETRY_WEIGHT = 1;

/** How many line heights a digit may be wide when it is one part (beyond: not a digit). */
export const MAX_DIGIT_ASPECT = 1.6;
/** How much a digit's shape (digit-shapes.ts) counts beside the classifier's log-probability. */
export const SHAPE_WEIGHT = 0.5;

/** The union of boxes [from, to). */
export function unionSpan(spans: readonly Span[], from = 0, to = spans.length): Span {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (let i = from; i < to; i++) {
    const s = spans[i];
    if (s.left < left) left = s.left;
    if (s.top < top) top = s.top;
    if (s.right > right) right = s.right;
    if (s.bottom > bottom) bottom = s.bottom;
  }
  return { left, top, right, bottom };
}

/**
 * The height of one digit in this row: the median of the parts' heights among the parts at least
 * half as tall as the tallest (flags, crossbars and dots would pull a plain median down).
 */
export function lineHeight(spans: readonly Span[]): number {
  const heights = spans.map((s) => s.bottom - s.top).sort((a, b) => b - a);
  if (heights.length === 0) return 0;
  const tall = heights.filter((h) => h >= heights[0] / 2);
  return tall[Math.floor((tall.length - 1) / 2)];
}

/** The widest blank stretch across x inside the parts [from, to), in the parts' units. */
function innerGap(spans: readonly Span[], from: number, to: number): number {
  const ranges = spans.slice(from, to).map((s) => [s.left, s.right] as const);
  ranges.sort((a, b) => a[0] - b[0]);
  let reach = ranges[0][1];
  let gap = 0;
  for (const [left, right] of ranges.slice(1)) {
    gap = Math.max(gap, left - reach);
    reach = Math.max(reach, right);
  }
  return gap;
}

function topIndex(probabilities: readonly number[]): number {
  let best = 0;
  for (let d = 1; d < probabilities.length; d++)
    if (probabilities[d] > probabilities[best]) best = d;
  return best;
}

/**
 * The grouping of `spans` (sorted left to right) into digits that the classifier is surest of.
 * `read(from, to)` reads parts [from, to) as one digit (null: no ink there). A single part can
 * always be a digit, so there is always an answer; groups of several parts must look like one
 * digit (narrow enough, no wide blank inside).
 */
export function segmentRow(
  spans: readonly Span[],
  read: (from: number, to: number) => GroupReading | null,
  options: SegmentOptions,
): Segment[] {
  return bestGroupings(spans, read, options, 1)[0]?.segments ?? [];
}

/** One way of grouping a row's parts into digits, and its score (a sum of log-probabilities). */
export interface Grouping {
  segments: Segment[];
  score: number;
}

/** A grouping of the parts before some point, as the search extends it. */
interface PartialGrouping {
  score: number;
  /** Its digits, so that two groupings reading the same digits are kept once (the better). */
  digits: string;
  segment: Segment | null;
  before: PartialGrouping | null;
}

/**
 * The `count` best groupings of `spans` that read different digits, best first (segmentRow's
 * search, keeping the best few at each point): a line reader can then choose among them. The
 * first is always segmentRow's.
 */
export function bestGroupings(
  spans: readonly Span[],
  read: (from: number, to: number) => GroupReading | null,
  options: SegmentOptions,
  count: number,
): Grouping[] {
  const n = spans.length;
  const height = Math.max(lineHeight(spans), 1e-9);
  const join = options.join ?? new Array<number>(Math.max(0, n - 1)).fill(0.5);
  const clamp = (p: number) => Math.min(0.995, Math.max(0.005, p));
  const logJoin = join.map((p) => GEOMETRY_WEIGHT * Math.log(clamp(p)));
  const logSplit = join.map((p) => GEOMETRY_WEIGHT * Math.log(1 - clamp(p)));
  // best[k]: the best groupings of parts [0, k), best first.
  const best: PartialGrouping[][] = Array.from({ length: n + 1 }, () => []);
  best[0] = [{ score: 0, digits: "", segment: null, before: null }];
  for (let to = 1; to <= n; to++) {
    // A digit ending at `to` cannot end where its neighbour surely goes on.
    if (to < n && join[to - 1] > SURE_JOIN) continue;
    const found: PartialGrouping[] = [];
    let geometry = to < n ? logSplit[to - 1] : 0;
    for (let from = to - 1; from >= Math.max(0, to - options.maxParts); from--) {
      if (from < to - 1) {
        if (join[from] < 1 - SURE_JOIN) break; // a sure split inside: no longer group either
        geometry += logJoin[from];
      }
      if (best[from].length === 0) continue;
      if (from > 0 && join[from - 1] > SURE_JOIN) continue;
      const box = unionSpan(spans, from, to);
      const width = box.right - box.left;
      if (to - from > 1) {
        if (width > options.maxWidth * height) break; // wider still as `from` goes left
        if (innerGap(spans, from, to) > options.maxInnerGap * height) continue;
      }
      const reading = read(from, to);
      if (!reading) {
        // A part with no ink of its own is passed over at no cost.
        if (to - from === 1) {
          for (const before of best[from]) found.push({ ...before, segment: null, before });
        }
        continue;
      }
      const digit = topIndex(reading.probabilities);
      const boxHeight = box.bottom - box.top;
      const base =
        Math.log(Math.max(reading.probabilities[digit], 1e-12)) +
        geometry +
        SHAPE_WEIGHT * shapeScore(digit, width, boxHeight, height) +
        PARTS_WEIGHT * (options.partsScore?.(digit, to - from) ?? 0);
      options.scored?.(from, to, digit, base);
      const score =
        base + (options.digitBonus ?? 0) + (options.groupScore?.(from, to, reading, height) ?? 0);
      const segment = { from, to, box, reading };
      for (const before of best[from]) {
        found.push({ score: before.score + score, digits: before.digits + digit, segment, before });
      }
    }
    best[to] = keepBest(found, count);
  }
  return best[n].map((last) => {
    const segments: Segment[] = [];
    for (let at: PartialGrouping | null = last; at; at = at.before)
      if (at.segment) segments.push(at.segment);
    return { segments: segments.reverse(), score: last.score };
  });
}

/** The `count` best of `found` reading different digits, best first (the first found on a tie). */
function keepBest(found: PartialGrouping[], count: number): PartialGrouping[] {
  // A stable sort: of equal scores, the one found first stays first, as segmentRow always chose.
  const sorted = found.slice().sort((a, b) => b.score - a.score);
  const kept: PartialGrouping[] = [];
  const seen = new Set<string>();
  for (const partial of sorted) {
    if (kept.length === count) break;
    if (seen.has(partial.digits)) continue;
    seen.add(partial.digits);
    kept.push(partial);
  }
  return kept;
}
