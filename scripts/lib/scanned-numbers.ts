// Composed numbers rendered as scans, and which digit each candidate crop of one really holds:
// the labels the segment judge is fitted on and the scan crops the CNN can train on
// (scripts/fit-segment-judge.ts, scripts/build-stroke-data.ts --scan-crops). Digits' own ink is
// known from the composition.
import type { Classifier } from "../../src/recognize/classifier.ts";
import { renderPathsInto } from "../../src/recognize/render-strokes.ts";
import {
  forEachCandidatePixel,
  type ImageRow,
  readImageNumber,
} from "../../src/recognize/split-image.ts";
import type { StrokeDigit } from "../../src/strokes/dataset.ts";
import {
  COMPOSE_ASPECT,
  type ComposedNumber,
  composeNumber,
  planNumbers,
  REALISTIC,
  TOUCHING,
} from "../../src/strokes/number.ts";
import { type NumberScanImage, renderNumberScan } from "../../src/strokes/scan.ts";
import type { Rng } from "../../src/util/rng.ts";

export interface Scanned {
  number: ComposedNumber;
  scan: NumberScanImage;
}

/** `count` numbers of `lengths` digits composed from one writer's digits, each rendered as a scan. */
export function scanNumbers(
  digits: StrokeDigit[],
  lengths: number[],
  count: number,
  touching: boolean,
  rng: Rng,
): Scanned[] {
  return planNumbers(digits, lengths, count, rng).map((plan) => {
    const number = composeNumber(plan, rng, COMPOSE_ASPECT, touching ? TOUCHING : REALISTIC);
    return { number, scan: renderNumberScan(number.strokes, COMPOSE_ASPECT, rng) };
  });
}

/** About `count` numbers of 2–6 digits, half spaced and half touching (what fitting reads). */
export function spacedAndTouchingNumbers(
  digits: StrokeDigit[],
  count: number,
  rng: Rng,
): Scanned[] {
  const lengths = [2, 3, 4, 5, 6];
  const perKind = Math.ceil(count / 2 / lengths.length);
  return [
    ...scanNumbers(digits, lengths, perKind, false, rng),
    ...scanNumbers(digits, lengths, perKind, true, rng),
  ];
}

/** Digits' own ink is told apart by rendering each with a pen this much wider (the scan's blur). */
const OWNER_PEN = 1.6;

/** Which digit each pixel's ink belongs to (−1: none), from each digit rendered on its own. */
export function digitOwners(number: ComposedNumber, scan: NumberScanImage): Int8Array {
  const { width, height } = scan;
  const owner = new Int8Array(width * height).fill(-1);
  const strongest = new Uint8Array(width * height);
  for (let d = 0; d < number.labels.length; d++) {
    const paths = scan.paths.filter((_, s) => number.strokeDigit[s] === d);
    const cover = renderPathsInto(paths, width, height, scan.pen * OWNER_PEN + 2);
    for (let i = 0; i < cover.length; i++) {
      if (cover[i] > strongest[i]) {
        strongest[i] = cover[i];
        owner[i] = d;
      }
    }
  }
  return owner;
}

/** Each digit's ink over the whole row (what a candidate's share is measured against). */
export function digitInkOf(row: ImageRow, owner: Int8Array, digits: number): Float64Array {
  const ink = new Float64Array(digits);
  forEachCandidatePixel(row, 0, row.parts.length, (i, v) => {
    if (owner[i] >= 0) ink[owner[i]] += v;
  });
  return ink;
}

export interface CandidateLabel {
  /** The digit (its place in the number) most of the candidate's ink belongs to. */
  digit: number;
  /** The share of the candidate's ink that is that digit's. */
  purity: number;
  /** The share of that digit's ink the candidate holds. */
  coverage: number;
}

/** The majority digit of the candidate of parts [from, to) and how purely and fully it holds it. */
export function labelCandidate(
  row: ImageRow,
  from: number,
  to: number,
  owner: Int8Array,
  digitInk: Float64Array,
): CandidateLabel {
  const mine = new Float64Array(digitInk.length);
  let total = 0;
  forEachCandidatePixel(row, from, to, (i, v) => {
    total += v;
    if (owner[i] >= 0) mine[owner[i]] += v;
  });
  let digit = 0;
  for (let d = 1; d < mine.length; d++) if (mine[d] > mine[digit]) digit = d;
  return {
    digit,
    purity: total > 0 ? mine[digit] / total : 0,
    coverage: digitInk[digit] > 0 ? mine[digit] / digitInk[digit] : 0,
  };
}

/** A crop trains the CNN when at least this share of its ink is its digit's (a neighbour's stray
 * strokes may make up the rest, as where strokes of neighbours cross)… */
export const CROP_PURITY = 0.7;
/** …and it holds at least this share of that digit's ink. */
export const CROP_COVERAGE = 0.8;

/**
 * The candidate crops the splitter proposes in these scans that hold one digit nearly whole
 * (CROP_PURITY, CROP_COVERAGE), preprocessed as the splitter preprocesses them: 28×28 bytes and
 * the digit's label, for training the classifier on digits as the image splitter cuts them.
 */
export function scanCropImages(
  scanned: Scanned[],
  classifier: Classifier,
): { images: Uint8Array; labels: Uint8Array; count: number } {
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (const { number, scan } of scanned) {
    const owner = digitOwners(number, scan);
    let digitInk: Float64Array | null = null;
    readImageNumber(scan.rgba, scan.width, scan.height, classifier, {
      judgeWeight: 0,
      inspect: (row, from, to, reading) => {
        digitInk ??= digitInkOf(row, owner, number.labels.length);
        const { digit, purity, coverage } = labelCandidate(row, from, to, owner, digitInk);
        if (purity < CROP_PURITY || coverage < CROP_COVERAGE) return;
        images.push(Uint8Array.from(reading.input, (v) => Math.round(v * 255)));
        labels.push(number.labels[digit]);
      },
    });
  }
  const all = new Uint8Array(images.length * 784);
  images.forEach((image, i) => {
    all.set(image, i * 784);
  });
  return { images: all, labels: Uint8Array.from(labels), count: images.length };
}
