// A number in an image (a photo or scan of one line of digits): the ink found as for one digit
// (background from the border, polarity, noise floor), its connected parts labelled, broken parts
// of one digit joined and touching digits cut where the classifier is surest (segment.ts), and
// each digit's ink put through the same preprocessing and model as a single digit.
import {
  chooseGrouping,
  LINE_GROUPINGS,
  LINE_NOT_DIGITS_SHARE,
  type LineReader,
  overruleDigits,
  readLineFrames,
  vouchesFor,
} from "./line-reader.ts";
import { toNumberReading, topDigit, whyNotDigits, whyUnreadable } from "./number.ts";
import { type ByteImage, preprocess, suppressBackground, toGrey } from "./preprocess.ts";
import {
  bestGroupings,
  type GroupReading,
  lineHeight,
  type SegmentOptions,
  type Span,
  unionSpan,
} from "./segment.ts";
import {
  type CandidateGeometry,
  judgeFeatures,
  judgeLogOdds,
  logWhole,
  SEGMENT_JUDGE_MODEL,
  type SegmentJudgeModel,
} from "./segment-judge.ts";
import { MIN_STAND_OUT, standOut } from "./shadow-marks.ts";
import { slidingFilter } from "./sliding-filter.ts";
import { strokesJoin } from "./split-strokes.ts";
import type { DigitCheck, DigitModel, DigitReading, NumberReading } from "./types.ts";

/** Images are shrunk (by a whole factor) until their longer side is at most this many pixels. */
export const IMAGE_WORK_SIZE = 720;
/** Parts with less ink than this share of the largest part are specks, not digits. */
export const SPECK_SHARE = 0.03;
/** A part wider than this many line heights may be touching digits: cuts are tried in it. */
export const CUT_WIDTH = 0.7;
/** The most cuts tried in one part, and how close (line heights) two cuts may be. */
export const MAX_CUTS = 8;
export const CUT_SPACING = 0.2;
/** How likely two slices of one connected part are one digit before the classifier says. */
export const SLICE_JOIN = 0.6;
/** How image parts may group into a digit (in line heights): see SegmentOptions. */
export const IMAGE_GROUPING = { maxParts: 8, maxInnerGap: 0.3, maxWidth: 1.8 };
/** The score each digit of a grouping brings (segment.ts): see SegmentOptions.digitBonus. */
export const IMAGE_DIGIT_BONUS = 1;

/** Ink strength (white on black) of the image at a working size, and the shrink factor. */
function findInk(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
): { ink: ByteImage; grey: ByteImage; darkInk: boolean; factor: number } | null {
  const factor = Math.max(1, Math.floor(Math.max(width, height) / IMAGE_WORK_SIZE));
  const grey = toGrey(pixels, width, height, factor);
  const found = inkAboveBackground(grey);
  if (!found) return null;
  suppressBackground(found.ink, neighbourNoise(grey));
  return { ...found, grey, factor };
}

/** Percentile `q` (0–1) of bytes. */
function percentile(values: Uint8Array, q: number): number {
  const hist = new Uint32Array(256);
  for (const v of values) hist[v]++;
  const wanted = q * values.length;
  let seen = 0;
  for (let b = 0; b < 256; b++) {
    seen += hist[b];
    if (seen >= wanted) return b;
  }
  return 255;
}

/**
 * Ink contrast (0–1) below which a sheet counts as blank: above the single digit's MIN_CONTRAST,
 * since what a closing leaves of a soft dark spot on blank paper can reach it (pencil on paper
 * stands 0.2 and more above the paper).
 */
export const IMAGE_MIN_CONTRAST = 0.15;

/** The paper's level is a closing over a square this share of the sheet's shorter side wide. */
export const PAPER_WINDOW = 0.35;

/**
 * Ink strength against a background that may change across the sheet (a shadow, a lamp to one
 * side, a dark spot): a whole line of paper is too wide for the single digit's one plane. The
 * paper's level is a grey closing of the (lightly smoothed) image — a maximum, then a minimum,
 * over a square PAPER_WINDOW of the shorter side (for light ink on dark: a minimum, then a
 * maximum): strokes narrower than the square vanish from it, while a shadow's hard edge, a
 * gradient or a spot wider than the square stays where it is, so none of them reads as ink.
 * Polarity comes from which way the (smoothed) image strays further from its median: its extremes,
 * since a small digit in a large photo may cover far less than any percentile's share. Null when
 * there is no contrast at all.
 */
function inkAboveBackground(grey: ByteImage): { ink: ByteImage; darkInk: boolean } | null {
  const { data, width, height } = grey;
  const median = percentile(data, 0.5);
  const radius = Math.max(2, Math.round((PAPER_WINDOW * Math.min(width, height)) / 2));
  const smooth = boxSmooth(data, width, height);
  let darkest = 255;
  let lightest = 0;
  for (const v of smooth) {
    if (v < darkest) darkest = v;
    if (v > lightest) lightest = v;
  }
  const darkInk = median - darkest >= lightest - median;
  const first = darkInk ? Math.max : Math.min;
  const second = darkInk ? Math.min : Math.max;
  const paper = slidingFilter(
    slidingFilter(smooth, width, height, radius, first),
    width,
    height,
    radius,
    second,
  );
  const ink = new Uint8ClampedArray(data.length);
  let strongest = 0;
  for (let i = 0; i < data.length; i++) {
    const v = darkInk ? paper[i] - data[i] : data[i] - paper[i];
    ink[i] = v;
    if (v > strongest) strongest = v;
  }
  if (strongest < IMAGE_MIN_CONTRAST * 255) return null;
  return { ink: { data: new Uint8Array(ink.buffer), width, height }, darkInk };
}

/** A 3×3 mean (clipped at the edges): the paper's level should not follow the sensor's noise. */
function boxSmooth(data: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      let n = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++) {
          sum += data[yy * width + xx];
          n++;
        }
      }
      out[y * width + x] = Math.round(sum / n);
    }
  }
  return out;
}

/**
 * The sensor's noise (0–255 units) from the differences between horizontal neighbours: shading
 * changes slowly, so it hardly shows there, and ink edges are too few to move a median.
 */
function neighbourNoise(grey: ByteImage): number {
  const { data, width, height } = grey;
  const hist = new Uint32Array(256);
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let i = y * width + 1, end = (y + 1) * width; i < end; i++) {
      hist[Math.abs(data[i] - data[i - 1])]++;
      count++;
    }
  }
  let seen = 0;
  for (let b = 0; b < 256; b++) {
    seen += hist[b];
    if (2 * seen >= count) return (1.4826 * b) / Math.SQRT2;
  }
  return 0;
}

/** How far the writing may lean (x per y, either way), and the step the lean is searched in. */
export const MAX_SLANT = 0.6;
const SLANT_STEP = 0.05;

/**
 * The writing's slant: the shear k (a pixel at height y moves by k·(y − middle)) under which the
 * ink's column sums are sharpest (their sum of squares largest), i.e. upright strokes line up. Cuts
 * between touching digits follow this slant, so slanted writing is cut between its digits.
 */
function estimateSlant(ink: ByteImage): number {
  const { data, width, height } = ink;
  const reach = Math.ceil(MAX_SLANT * height) + 1;
  const sums = new Float64Array(width + 2 * reach);
  const middle = height / 2;
  let best = 0;
  let bestScore = -1;
  for (let k = -MAX_SLANT; k <= MAX_SLANT + 1e-9; k += SLANT_STEP) {
    sums.fill(0);
    for (let y = 0; y < height; y++) {
      const shift = reach + k * (y - middle);
      for (let x = 0, i = y * width; x < width; x++, i++) {
        if (data[i] !== 0) sums[Math.round(x + shift)] += data[i];
      }
    }
    let score = 0;
    for (const s of sums) score += s * s;
    if (score > bestScore + 1e-9 * score) {
      bestScore = score;
      best = k;
    }
  }
  return Math.abs(best) < SLANT_STEP / 2 ? 0 : best;
}

/** The ink's connected parts: a label per pixel and, per part, its boxes and mass. */
interface Labelled {
  labels: Int32Array;
  /** Per part (label − 1): its box in pixels and its box in slant-corrected x (u). */
  boxes: Span[];
  uBoxes: Span[];
  masses: number[];
  slant: number;
  middle: number;
}

/** Labels the ink's 8-connected parts (1, 2, …), with their boxes upright and along the slant. */
function labelParts(ink: ByteImage): Labelled {
  const { data, width, height } = ink;
  const slant = estimateSlant(ink);
  const middle = height / 2;
  const labels = new Int32Array(data.length);
  const stack = new Int32Array(data.length);
  const boxes: Span[] = [];
  const uBoxes: Span[] = [];
  const masses: number[] = [];
  for (let start = 0; start < data.length; start++) {
    if (data[start] === 0 || labels[start] !== 0) continue;
    const label = boxes.length + 1;
    const box = { left: width, top: height, right: 0, bottom: 0 };
    const uBox = { left: Infinity, top: height, right: -Infinity, bottom: 0 };
    let mass = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const i = stack[--top];
      const y = (i / width) | 0;
      const x = i - y * width;
      const u = x + slant * (y - middle);
      mass += data[i];
      if (x < box.left) box.left = x;
      if (x + 1 > box.right) box.right = x + 1;
      if (y < box.top) box.top = y;
      if (y + 1 > box.bottom) box.bottom = y + 1;
      if (u < uBox.left) uBox.left = u;
      if (u + 1 > uBox.right) uBox.right = u + 1;
      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
          const j = ny * width + nx;
          if (data[j] !== 0 && labels[j] === 0) {
            labels[j] = label;
            stack[top++] = j;
          }
        }
      }
    }
    uBox.top = box.top;
    uBox.bottom = box.bottom;
    boxes.push(box);
    uBoxes.push(uBox);
    masses.push(mass);
  }
  return { labels, boxes, uBoxes, masses, slant, middle };
}

/**
 * A cut through a connected part from its top to its bottom: per row of the part's box, the x
 * (in pixels) at which the slice to its right begins. It bends round the ink where it can.
 */
type CutPath = Float64Array;

/**
 * A connected part of the ink, or a slice of one between two cut paths: its pixels are those of
 * `label` at or right of `from` and left of `to` (per row of the part's box; null: no bound). The
 * Span is its box in u (slant-corrected x); `box` in pixels.
 */
interface Part extends Span {
  label: number;
  from: CutPath | null;
  to: CutPath | null;
  /** Which slice of its part it is (0: the leftmost, or the whole part). */
  slice: number;
  box: Span;
  /** Its ink (0–1 a pixel), and the ink its left and right cuts crossed (0–1 a row). */
  mass: number;
  fromInk: number;
  toInk: number;
}

/** Whether pixel x of row `row` (of its part's box) lies between a slice's cuts. */
function inSlice(part: Part, row: number, x: number): boolean {
  return (part.from === null || x >= part.from[row]) && (part.to === null || x < part.to[row]);
}

/** The slice of part `label` between two cuts, or null when it holds no ink. */
function slicePart(
  ink: ByteImage,
  parts: Labelled,
  label: number,
  from: CutPath | null,
  to: CutPath | null,
  slice: number,
): Part | null {
  const { labels, slant, middle } = parts;
  const outer = parts.boxes[label - 1];
  const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  const span = { left: Infinity, right: -Infinity };
  const probe = { from, to } as Part;
  let mass = 0;
  for (let y = outer.top; y < outer.bottom; y++) {
    const shift = slant * (y - middle);
    for (let x = outer.left; x < outer.right; x++) {
      if (labels[y * ink.width + x] !== label || !inSlice(probe, y - outer.top, x)) continue;
      mass += ink.data[y * ink.width + x] / 255;
      const u = x + shift;
      if (x < box.left) box.left = x;
      if (x + 1 > box.right) box.right = x + 1;
      if (y < box.top) box.top = y;
      if (y + 1 > box.bottom) box.bottom = y + 1;
      if (u < span.left) span.left = u;
      if (u + 1 > span.right) span.right = u + 1;
    }
  }
  if (box.top === Infinity) return null;
  const crossed = (path: CutPath | null) => (path ? pathInk(ink, parts, label, path) : 0);
  return {
    ...span,
    top: box.top,
    bottom: box.bottom,
    label,
    from,
    to,
    slice,
    box,
    mass,
    fromInk: crossed(from),
    toInk: crossed(to),
  } satisfies Part;
}

/** The ink (0–1 a pixel) of part `label` that a cut path runs through. */
function pathInk(ink: ByteImage, parts: Labelled, label: number, path: CutPath): number {
  const outer = parts.boxes[label - 1];
  let sum = 0;
  for (let row = 0; row < path.length; row++) {
    const x = path[row];
    if (x < 0 || x >= ink.width) continue;
    const i = (outer.top + row) * ink.width + x;
    if (parts.labels[i] === label) sum += ink.data[i] / 255;
  }
  return sum;
}

/**
 * How far (line heights) a cut path may stray either side of the straight slanted line it starts
 * from: 0.1, not 0.3, since a wider path follows a touching digit's stroke (or a bulge of the digit
 * it should pass) and leaves neither digit whole (chosen on writers 16–20: README).
 */
export const CUT_REACH = 0.1;
/**
 * The reaches whose paths are all offered at each cut place, side by side: a wide reach slips
 * round a digit's bulge between spaced digits, a narrow one stays between touching digits whose
 * strokes a wide path would follow into the wrong digit. The slivers between them join either side.
 */
export const CUT_REACHES: readonly number[] = [CUT_REACH];
/** What a sideways step of a cut path costs, in ink units (0–255) crossed. */
const CUT_STEP_COST = 8;

/**
 * The path from the part's top to its bottom that crosses the least of its ink, near the slanted
 * line through u: each row it may move one pixel either way (so it can slip between overlapping
 * digits), within `cutReach` line heights of that line. Dynamic programming over the rows.
 */
function cutPath(
  ink: ByteImage,
  parts: Labelled,
  label: number,
  u: number,
  line: number,
  cutReach: number,
) {
  const { labels, slant, middle } = parts;
  const outer = parts.boxes[label - 1];
  const rows = outer.bottom - outer.top;
  const reach = Math.max(1, Math.round(cutReach * line));
  const span = 2 * reach + 1;
  // cost[row * span + k]: the least ink crossed down to this row, at offset k − reach.
  const cost = new Float64Array(rows * span);
  const back = new Int8Array(rows * span);
  const centreOf = (row: number) => Math.round(u - slant * (outer.top + row - middle));
  const inkAt = (row: number, x: number) => {
    if (x < 0 || x >= ink.width) return 0;
    const i = (outer.top + row) * ink.width + x;
    return labels[i] === label ? ink.data[i] : 0;
  };
  for (let row = 0; row < rows; row++) {
    const centre = centreOf(row);
    const shift = row > 0 ? centre - centreOf(row - 1) : 0;
    for (let k = 0; k < span; k++) {
      const here = inkAt(row, centre + k - reach);
      if (row === 0) {
        cost[k] = here;
        continue;
      }
      let best = Infinity;
      let step = 0;
      for (let d = -1; d <= 1; d++) {
        const prev = k + shift - d; // the same x, a step to the side, on the row above
        if (prev < 0 || prev >= span) continue;
        const c = cost[(row - 1) * span + prev] + (d === 0 ? 0 : CUT_STEP_COST);
        if (c < best) {
          best = c;
          step = prev;
        }
      }
      cost[row * span + k] = best + here;
      back[row * span + k] = step - reach;
    }
  }
  let k = 0;
  for (let j = 1; j < span; j++)
    if (cost[(rows - 1) * span + j] < cost[(rows - 1) * span + k]) k = j;
  const path = new Float64Array(rows);
  for (let row = rows - 1; row >= 0; row--) {
    path[row] = centreOf(row) + k - reach;
    if (row > 0) k = back[row * span + k] + reach;
  }
  return path;
}

/**
 * Where a wide part may be touching digits: the thinnest places of its ink along the slant (local
 * minima of the sums along slanted columns), at least CUT_SPACING line heights apart and from its
 * sides, the thinnest first; and, since overlapping digits leave no thin place, the places that
 * split it evenly into as many digits as its width holds.
 */
function cutPlaces(
  ink: ByteImage,
  parts: Labelled,
  label: number,
  line: number,
  dense: number,
): number[] {
  const { labels, slant, middle } = parts;
  const outer = parts.boxes[label - 1];
  const uBox = parts.uBoxes[label - 1];
  const origin = Math.floor(uBox.left);
  const sums = new Float64Array(Math.ceil(uBox.right) - origin + 1);
  for (let y = outer.top; y < outer.bottom; y++) {
    const shift = slant * (y - middle) - origin;
    for (let x = outer.left; x < outer.right; x++) {
      const i = y * ink.width + x;
      if (labels[i] === label) sums[Math.floor(x + shift)] += ink.data[i];
    }
  }
  const margin = Math.max(1, Math.round(CUT_SPACING * line));
  const candidates: { u: number; sum: number }[] = [];
  for (let k = margin; k < sums.length - margin; k++) {
    if (sums[k] <= sums[k - 1] && sums[k] <= sums[k + 1]) {
      candidates.push({ u: origin + k, sum: sums[k] });
    }
  }
  candidates.sort((a, b) => a.sum - b.sum);
  const width = uBox.right - uBox.left;
  const most = Math.min(MAX_CUTS, Math.ceil(width / (CUT_SPACING * line)));
  const cuts: number[] = [];
  const even = Math.min(MAX_CUTS + 1, Math.round(width / (EVEN_DIGIT_WIDTH * line)));
  for (let k = 1; k < even; k++) cuts.push(uBox.left + (k * width) / even);
  for (const c of candidates) {
    if (cuts.length >= most) break;
    if (cuts.every((u) => Math.abs(u - c.u) >= margin)) cuts.push(c.u);
  }
  // Dense proposals: a cut every `dense` line heights where none is near, since blurred ink
  // touching its neighbour often has no thin place between them at all.
  if (dense > 0) {
    const step = dense * line;
    for (let u = uBox.left + step; u < uBox.right - step / 2; u += step) {
      if (cuts.length >= DENSE_MAX_CUTS) break;
      if (cuts.every((c) => Math.abs(c - u) >= step / 2)) cuts.push(u);
    }
  }
  return cuts.sort((a, b) => a - b);
}

/** Spacing (line heights) of the dense cut proposals in a wide part (0: none), and their most. */
export const DENSE_CUTS = 0.2;
export const DENSE_MAX_CUTS = 24;

/** The width (line heights) of one digit, when a wide part is cut evenly into digits. */
export const EVEN_DIGIT_WIDTH = 0.7;

/** Why an image whose only marks are shadows on the paper holds no number (and no digit). */
export const ONLY_SHADING = "only shadows on the paper, no ink" as const;

/**
 * Marks that are a sliver of shadow, not ink (shadow-marks.ts), lose their mass, so that neither
 * they nor the specks measured against them are read. True when every mark was shading.
 */
function dropShading(
  labelled: Labelled,
  { ink, grey, darkInk }: { ink: ByteImage; grey: ByteImage; darkInk: boolean },
): boolean {
  const largest = Math.max(0, ...labelled.masses);
  let inkLeft = false;
  labelled.masses.forEach((mass, k) => {
    if (mass < SPECK_SHARE * largest) return; // specks are dropped anyway
    const box = labelled.boxes[k];
    if (standOut(grey, darkInk, ink, labelled.labels, k + 1, box) < MIN_STAND_OUT) {
      labelled.masses[k] = 0;
    } else inkLeft = true;
  });
  return !inkLeft;
}

/** The parts to group: each connected part (specks left out), wide ones cut into slices. */
function findParts(
  ink: ByteImage,
  labelled: Labelled,
  cutWidth: number,
  dense: number,
  reaches: readonly number[],
): Part[] {
  const largest = Math.max(0, ...labelled.masses);
  const kept = labelled.uBoxes
    .map((span, i) => ({ span, label: i + 1 }))
    .filter(({ label }) => {
      const mass = labelled.masses[label - 1];
      return mass > 0 && mass >= SPECK_SHARE * largest;
    });
  const line = lineHeight(kept.map((k) => k.span));
  const parts: Part[] = [];
  for (const { span, label } of kept) {
    const wide = span.right - span.left > cutWidth * line;
    const paths: CutPath[] = [];
    for (const u of wide ? cutPlaces(ink, labelled, label, line, dense) : []) {
      const here = reaches.map((reach) => cutPath(ink, labelled, label, u, line, reach));
      here.sort((a, b) => pathMean(a) - pathMean(b));
      paths.push(...here);
    }
    // Paths that cross are put back in order, row by row, so slices never overlap; a path that
    // then runs where the one before it does adds nothing.
    for (let k = 1; k < paths.length; k++) {
      for (let row = 0; row < paths[k].length; row++) {
        paths[k][row] = Math.max(paths[k][row], paths[k - 1][row]);
      }
    }
    for (let k = paths.length - 1; k > 0; k--) {
      if (paths[k].every((x, row) => x === paths[k - 1][row])) paths.splice(k, 1);
    }
    const edges = [null, ...paths, null];
    let slice = 0;
    for (let k = 0; k + 1 < edges.length; k++) {
      const part = slicePart(ink, labelled, label, edges[k], edges[k + 1], slice);
      if (part) {
        parts.push(part);
        slice++;
      }
    }
  }
  return parts;
}

/** A cut path's mean x. */
function pathMean(path: CutPath): number {
  let sum = 0;
  for (const x of path) sum += x;
  return sum / Math.max(1, path.length);
}

/** Ink of the given parts alone, white on black, with a blank border (for the preprocessing). */
function partsImage(ink: ByteImage, labelled: Labelled, parts: readonly Part[]): ByteImage {
  const { labels } = labelled;
  const box = unionSpan(parts.map((p) => p.box));
  const margin = 2 + Math.round(0.25 * (box.bottom - box.top));
  const width = box.right - box.left + 2 * margin;
  const height = box.bottom - box.top + 2 * margin;
  const data = new Uint8Array(width * height);
  for (const part of parts) {
    const top = labelled.boxes[part.label - 1].top;
    for (let y = part.box.top; y < part.box.bottom; y++) {
      const row = (y - box.top + margin) * width - box.left + margin;
      for (let x = part.box.left; x < part.box.right; x++) {
        const i = y * ink.width + x;
        if (labels[i] === part.label && inSlice(part, y - top, x)) data[row + x] = ink.data[i];
      }
    }
  }
  return { data, width, height };
}

/** An image's ink split into the parts a number's digits are grouped from (sorted left to right). */
export interface ImageRow {
  ink: ByteImage;
  labelled: Labelled;
  /** How much the image was shrunk to its working size. */
  factor: number;
  parts: Part[];
  line: number;
  /** For each pair of neighbouring parts, the chance from geometry alone that they are one digit. */
  join: number[];
}

/**
 * The ink of an image found and split into parts; null when no ink stands out, ONLY_SHADING when
 * all that does is shadow on the paper.
 */
export function imageRow(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  cutWidth = CUT_WIDTH,
  denseCuts = DENSE_CUTS,
  cutReaches: readonly number[] = CUT_REACHES,
): ImageRow | typeof ONLY_SHADING | null {
  const found = findInk(pixels, width, height);
  if (!found) return null;
  const { ink, factor } = found;
  const labelled = labelParts(ink);
  if (labelled.masses.length > 0 && dropShading(labelled, found)) return ONLY_SHADING;
  const parts = findParts(ink, labelled, cutWidth, denseCuts, cutReaches).sort(
    (a, b) => a.left + a.right - (b.left + b.right),
  );
  const line = lineHeight(parts);
  const join = parts.slice(1).map((part, k) => {
    const before = parts[k];
    return before.label === part.label && before.to !== null && before.to === part.from
      ? SLICE_JOIN
      : strokesJoin(before, part, line);
  });
  return { ink, labelled, factor, parts, line, join };
}

/** Calls `visit` with each ink pixel (its index in the working image, its ink 0–255) of parts [from, to). */
export function forEachCandidatePixel(
  row: ImageRow,
  from: number,
  to: number,
  visit: (index: number, ink: number) => void,
): void {
  const { ink, labelled } = row;
  for (const part of row.parts.slice(from, to)) {
    const top = labelled.boxes[part.label - 1].top;
    for (let y = part.box.top; y < part.box.bottom; y++) {
      for (let x = part.box.left; x < part.box.right; x++) {
        const i = y * ink.width + x;
        if (labelled.labels[i] === part.label && inSlice(part, y - top, x)) visit(i, ink.data[i]);
      }
    }
  }
}

/** What the splitter knows of parts [from, to) as one candidate digit (segment-judge.ts). */
export function candidateGeometry(row: ImageRow, from: number, to: number): CandidateGeometry {
  const { parts } = row;
  const line = Math.max(row.line, 1);
  const box = unionSpan(parts, from, to);
  let mass = 0;
  for (let k = from; k < to; k++) mass += parts[k].mass;
  const first = parts[from];
  const last = parts[to - 1];
  let reachBefore = -Infinity;
  for (let k = 0; k < from; k++) reachBefore = Math.max(reachBefore, parts[k].right);
  let reachAfter = Infinity;
  for (let k = to; k < parts.length; k++) reachAfter = Math.min(reachAfter, parts[k].left);
  return {
    width: (box.right - box.left) / line,
    height: (box.bottom - box.top) / line,
    parts: to - from,
    mass: mass / (line * line),
    leftCut: first.fromInk / line,
    rightCut: last.toInk / line,
    leftIsCut: first.from !== null,
    rightIsCut: last.to !== null,
    gapBefore: (box.left - reachBefore) / line,
    gapAfter: (reachAfter - box.right) / line,
  };
}

export interface ImageNumberOptions {
  /**
   * How much the judge's log P(one whole digit) counts in the grouping's score (default: the
   * shipped judge's weight; 0 leaves the judge out).
   */
  judgeWeight?: number;
  /** Parts wider than this many line heights are cut (default CUT_WIDTH). */
  cutWidth?: number;
  /** Dense cut proposals every this many line heights (default DENSE_CUTS; 0: none). */
  denseCuts?: number;
  /** The reaches (line heights) whose cut paths are offered side by side (default CUT_REACHES). */
  cutReaches?: readonly number[];
  /** The most parts one digit may be grouped from (default IMAGE_GROUPING.maxParts). */
  maxParts?: number;
  /** The score each digit brings (default: the judge's, or IMAGE_DIGIT_BONUS without it). */
  digitBonus?: number;
  /** The judge to use (default: the shipped one). */
  judge?: SegmentJudgeModel;
  /**
   * The line reader that may overrule the grouping's digits where it reads the line otherwise
   * (line-reader.ts); without it, the splitter's digits stand.
   */
  lineReader?: LineReader;
  /**
   * How many of the splitter's best groupings the line reader chooses among (default
   * LINE_GROUPINGS; 1: the splitter's first grouping, as before the reader chose).
   */
  groupings?: number;
  /**
   * The not-a-digit check, with a line reader: marks it mostly flags are not read as a number
   * unless the line reader vouches for their digits (an image's crops are flagged more often than
   * the pad's, so the check alone would cost right numbers).
   */
  check?: DigitCheck;
  /** Called with every candidate read, for fitting the judge. */
  inspect?: (row: ImageRow, from: number, to: number, reading: GroupReading) => void;
  /** Called with every candidate's score before the judge and digit bonus (segment.ts). */
  scored?: SegmentOptions["scored"];
}

/**
 * Reads the number in an RGBA (or grey) image. When it holds one digit, that digit is read from
 * the whole image exactly as a single digit always was, so a one-digit image gives the same answer
 * as before.
 */
export function readImageNumber(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  model: DigitModel,
  options: ImageNumberOptions = {},
): NumberReading {
  const started = performance.now();
  const row = imageRow(
    pixels,
    width,
    height,
    options.cutWidth,
    options.denseCuts,
    options.cutReaches,
  );
  if (row === null || row === ONLY_SHADING) {
    const reading = toNumberReading([], performance.now() - started);
    return row === ONLY_SHADING ? { ...reading, unreadable: ONLY_SHADING } : reading;
  }
  const { ink, labelled, factor, parts, join } = row;
  const read = (from: number, to: number): GroupReading | null => {
    const image = partsImage(ink, labelled, parts.slice(from, to));
    const input = preprocess(image.data, image.width, image.height);
    if (!input) return null;
    const reading = { probabilities: model.classifyInput(input).probabilities, input };
    options.inspect?.(row, from, to, reading);
    return reading;
  };
  const judge = options.judge ?? SEGMENT_JUDGE_MODEL;
  const judgeWeight = options.judgeWeight ?? judge.weight;
  const groupScore =
    judgeWeight === 0
      ? undefined
      : (from: number, to: number, reading: GroupReading) =>
          judgeWeight *
          logWhole(
            judgeLogOdds(
              judgeFeatures(reading.input, reading.probabilities, candidateGeometry(row, from, to)),
              judge,
            ),
          );
  const groupings = bestGroupings(
    parts,
    read,
    {
      ...IMAGE_GROUPING,
      maxParts: options.maxParts ?? IMAGE_GROUPING.maxParts,
      join,
      digitBonus: options.digitBonus ?? (groupScore ? judge.digitBonus : IMAGE_DIGIT_BONUS),
      groupScore,
      scored: options.scored,
    },
    options.lineReader ? (options.groupings ?? LINE_GROUPINGS) : 1,
  );
  const line = { ink, boxes: parts.map((p) => p.box), line: row.line, factor, width, height };
  const frames = options.lineReader ? readLineFrames(options.lineReader, line) : null;
  const chosen = frames
    ? groupings[
        chooseGrouping(
          frames,
          groupings.map((g) => ({
            digits: g.segments.map((s) => topDigit(s.reading.probabilities)),
            score: g.score,
          })),
        )
      ]
    : groupings[0];
  let digits: DigitReading[] = (chosen?.segments ?? []).map(({ from, to, reading }) => {
    const box = unionSpan(parts.slice(from, to).map((p) => p.box));
    const digit = topDigit(reading.probabilities);
    return {
      digit,
      probability: reading.probabilities[digit],
      probabilities: reading.probabilities,
      box: {
        x: box.left * factor,
        y: box.top * factor,
        width: Math.min(width, box.right * factor) - box.left * factor,
        height: Math.min(height, box.bottom * factor) - box.top * factor,
      },
      input: reading.input,
    };
  });
  if (digits.length === 1) {
    const input = preprocess(pixels, width, height);
    if (input) {
      const { digit, probability, probabilities } = model.classifyInput(input);
      digits[0] = { ...digits[0], digit, probability, probabilities, input };
    }
  }
  let unreadable = whyUnreadable(digits);
  // Only digits the splitter could read are checked: what it could not read stays unreadable.
  if (frames && unreadable === null) {
    const overruled = overruleDigits(frames, line, digits);
    if (options.check) {
      // The splitter's digits stand where the reader vouches for them; the reader's own are
      // checked as the digit model reads their boxes, which are cut less cleanly (a stricter share).
      const seen = overruled?.map((d) => ({ ...d, ...model.classifyInput(d.input) }));
      const notDigits = seen
        ? whyNotDigits(seen, options.check, LINE_NOT_DIGITS_SHARE)
        : vouchesFor(frames, digits)
          ? null
          : whyNotDigits(digits, options.check);
      if (notDigits !== null) unreadable = notDigits;
    }
    digits = overruled ?? digits;
  }
  return toNumberReading(digits, performance.now() - started, unreadable);
}
