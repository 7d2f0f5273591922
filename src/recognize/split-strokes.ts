// A number written on the pad: its strokes grouped into digits by where they lie, the classifier
// choosing between groupings (a stray stroke joining its neighbour, a 5's flag, a 7's crossbar),
// each digit rendered as the pad renders a single digit and put through the same preprocessing
// and model.
import { strokeCountScore } from "./digit-shapes.ts";
import { toNumberReading, topDigit, whyNotDigits, whyUnreadable } from "./number.ts";
import { preprocess } from "./preprocess.ts";
import { renderPathsInto } from "./render-strokes.ts";
import { type GroupReading, lineHeight, type Segment, type Span, segmentRow } from "./segment.ts";
import {
  CLASSIFY_SIDE,
  type DigitCheck,
  type DigitModel,
  type DigitReading,
  type NumberReading,
  type PadStroke,
  PEN_FRACTION,
} from "./types.ts";

/** How strokes may group into a digit (in line heights): see SegmentOptions. */
export const STROKE_GROUPING = { maxParts: 4, maxInnerGap: 0.3, maxWidth: 1.8 };

/**
 * Pixels to the pad's height when a candidate digit is rendered: half the single digit's
 * CLASSIFY_SIDE (the pen stays a tenth of the pad's height). The preprocessing scales the ink to
 * 20 px either way; half the side is a quarter of the pixels for each of the ~10–20 readings an
 * 8-digit number takes (bench app), and numbers of writers 01–20 read as well (within 2 of 100).
 */
export const GROUP_SCALE = CLASSIFY_SIDE / 2;

/** Blank border around a group's ink when it is rendered, as a share of its height. */
const CROP_MARGIN = 0.25;

/** A stroke's ink box in pad units: its points' box widened by half the pen. */
function strokeSpan(stroke: PadStroke): Span {
  const r = PEN_FRACTION / 2;
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const { x, y } of stroke) {
    if (x < left) left = x;
    if (x > right) right = x;
    if (y < top) top = y;
    if (y > bottom) bottom = y;
  }
  return { left: left - r, top: top - r, right: right + r, bottom: bottom + r };
}

/** One stroke rendered once, at GROUP_SCALE, on the whole-pixel grid of the pad: its ink bytes. */
interface StrokeTile {
  left: number;
  top: number;
  width: number;
  height: number;
  ink: Uint8ClampedArray;
}

/**
 * Renders a stroke (pad units) as the pad renders a digit for the classifier — GROUP_SCALE pixels
 * to the pad's height, a pen PEN_FRACTION of it — into a tile just big enough for its ink, placed
 * on whole pixels of the pad so that tiles of several strokes line up.
 */
function renderStrokeTile(stroke: PadStroke): StrokeTile {
  const scale = GROUP_SCALE;
  const span = strokeSpan(stroke);
  const left = Math.floor(span.left * scale) - 2;
  const top = Math.floor(span.top * scale) - 2;
  const width = Math.ceil(span.right * scale) + 2 - left;
  const height = Math.ceil(span.bottom * scale) + 2 - top;
  const path = stroke.map((p) => [p.x * scale - left, p.y * scale - top] as [number, number]);
  return {
    left,
    top,
    width,
    height,
    ink: renderPathsInto([path], width, height, PEN_FRACTION * scale),
  };
}

/**
 * The model's 784 inputs for a group of strokes: their tiles laid into a canvas just big enough
 * for their ink (with a blank margin, as on the pad: the preprocessing reads the background from
 * the border, and a dense digit in a tight crop would leave more ink than paper), the lighter of
 * overlapping pixels giving way — the same union of pen marks as drawing them all at once, each
 * stroke rendered once however many groups it is read in. Null: no ink.
 */
function tilesToInput(tiles: readonly StrokeTile[], box: Span): Float32Array | null {
  const scale = GROUP_SCALE;
  const margin = 2 + CROP_MARGIN * (box.bottom - box.top) * scale;
  const left = Math.floor(box.left * scale - margin);
  const top = Math.floor(box.top * scale - margin);
  const width = Math.max(1, Math.ceil(box.right * scale + margin) - left);
  const height = Math.max(1, Math.ceil(box.bottom * scale + margin) - top);
  const grey = new Uint8ClampedArray(width * height);
  for (const tile of tiles) {
    for (let ty = 0; ty < tile.height; ty++) {
      const y = tile.top + ty - top;
      if (y < 0 || y >= height) continue;
      for (let tx = 0; tx < tile.width; tx++) {
        const x = tile.left + tx - left;
        const v = tile.ink[ty * tile.width + tx];
        if (v === 0 || x < 0 || x >= width) continue;
        const k = y * width + x;
        if (v > grey[k]) grey[k] = v;
      }
    }
  }
  return preprocess(grey, width, height);
}

/**
 * The chance that two neighbouring strokes (left to right) belong to one digit, from where they
 * lie: strokes of one digit overlap across most of the narrower one's width (a 5's flag over its
 * body, a 7's crossbar, a 4's stem through its arm); neighbouring digits barely overlap, and a
 * short stroke beside the line's height is more often a piece of a digit. A logistic fitted to
 * numbers composed from writers 01–20 (2,627 neighbour pairs; 1.4% misjudged on its own).
 */
export function strokesJoin(a: Span, b: Span, lineHeight: number): number {
  const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const narrower = Math.max(1e-9, Math.min(a.right - a.left, b.right - b.left));
  const shorter = Math.min(a.bottom - a.top, b.bottom - b.top) / Math.max(1e-9, lineHeight);
  const z =
    10.74 * Math.max(-1, Math.min(1.2, overlap / narrower)) - 4.4 * Math.min(1.2, shorter) - 3.77;
  return 1 / (1 + Math.exp(-z));
}

/** The digits of the grouping the classifier is surest of, left to right. */
export function groupStrokes(
  strokes: readonly PadStroke[],
  model: DigitModel,
): { segments: Segment[]; order: PadStroke[] } {
  const drawn = strokes.filter((s) => s.length > 0);
  const spans = drawn.map(strokeSpan);
  // Left to right by the middle of each stroke's ink (a 5's flag sits over its body).
  const order = drawn
    .map((stroke, i) => ({ stroke, span: spans[i], centre: (spans[i].left + spans[i].right) / 2 }))
    .sort((a, b) => a.centre - b.centre);
  const sortedSpans = order.map((o) => o.span);
  const sorted = order.map((o) => o.stroke);
  const tiles = sorted.map(renderStrokeTile);
  const read = (from: number, to: number): GroupReading | null => {
    const box = sortedSpans.slice(from, to).reduce(union);
    const input = tilesToInput(tiles.slice(from, to), box);
    if (!input) return null;
    return { probabilities: model.classifyInput(input).probabilities, input };
  };
  const height = lineHeight(sortedSpans);
  const join = sortedSpans.slice(1).map((span, k) => strokesJoin(sortedSpans[k], span, height));
  return {
    segments: segmentRow(sortedSpans, read, {
      ...STROKE_GROUPING,
      join,
      partsScore: strokeCountScore,
    }),
    order: sorted,
  };
}

function union(a: Span, b: Span): Span {
  return {
    left: Math.min(a.left, b.left),
    top: Math.min(a.top, b.top),
    right: Math.max(a.right, b.right),
    bottom: Math.max(a.bottom, b.bottom),
  };
}

/**
 * Reads the number written in `strokes` (pad units: the pad's height is 1). With `check`, the
 * not-a-digit check, marks that are mostly not digits are not read as a number (whyNotDigits).
 */
export function readStrokeNumber(
  strokes: readonly PadStroke[],
  model: DigitModel,
  check?: DigitCheck,
): NumberReading {
  const started = performance.now();
  const { segments } = groupStrokes(strokes, model);
  const digits: DigitReading[] = segments.map(({ box, reading }) => {
    const digit = topDigit(reading.probabilities);
    return {
      digit,
      probability: reading.probabilities[digit],
      probabilities: reading.probabilities,
      box: { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top },
      input: reading.input,
    };
  });
  const unreadable = whyUnreadable(digits) ?? (check ? whyNotDigits(digits, check) : null);
  return toNumberReading(digits, performance.now() - started, unreadable);
}
