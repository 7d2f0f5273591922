/**
 * "Is this candidate one whole digit?" — a judge of the crops the image splitter proposes
 * (split-image.ts): a connected part, a slice of one between two cuts, or several of them. The
 * classifier alone is often sure of a squeezed pair ("14" read as a 4) or of half a digit (a 0
 * cut in two read as "61"); this judge looks at what the classifier cannot: the crop's size and
 * ink against the line, whether its sides were cut and how much ink each cut crossed, how close
 * its neighbours lie, beside the 28×28 input (pooled to 14×14) and the ten log-probabilities.
 * One hidden layer; its output is the log-odds that the crop is one whole digit. Weights come
 * from `npm run fit:segment-judge` (scripts/fit-segment-judge.ts), fitted on candidates the
 * splitter itself proposes on composed numbers of writers 01–15 rendered as scans, its weight in
 * the grouping chosen on writers 16–20, then fine-tuned on whole groupings of those numbers
 * (scripts/lib/fit-grouping.ts). Pure TypeScript: no Node, no DOM.
 */
import shipped from "./segment-judge.json" with { type: "json" };
import { mlpLogit, READING_FEATURES, readingFeatures, type SmallMlp } from "./small-mlp.ts";

export interface SegmentJudgeModel extends SmallMlp {
  /** Which classifier's probabilities the weights were fitted to. */
  fittedTo: string;
  /** How much log P(whole digit) counts in the grouping's score (segment.ts groupScore). */
  weight: number;
  /** The score each digit brings (segment.ts digitBonus) beside the judge, chosen with it. */
  digitBonus: number;
}

export const SEGMENT_JUDGE_MODEL = shipped as SegmentJudgeModel;

/** What the splitter knows of a candidate crop, in line heights where it is a length. */
export interface CandidateGeometry {
  width: number;
  height: number;
  /** How many parts (connected parts or slices) it is made of. */
  parts: number;
  /** Its ink (0–1 a pixel) over the line height squared. */
  mass: number;
  /** Ink crossed by the cut at its left and right side (0: that side was not cut). */
  leftCut: number;
  rightCut: number;
  leftIsCut: boolean;
  rightIsCut: boolean;
  /** Blank between it and the part before and after (negative: they overlap; none: wide). */
  gapBefore: number;
  gapAfter: number;
}

/** Gaps beyond this many line heights tell nothing more. */
const GAP_CLIP = 1.5;
const GEOMETRY_COUNT = 10;

export const JUDGE_FEATURE_COUNT = READING_FEATURES + 3 + GEOMETRY_COUNT;

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The judge's inputs: pooled pixels, log-probabilities (and the top three), the geometry. */
export function judgeFeatures(
  input784: ArrayLike<number>,
  probabilities: readonly number[],
  g: CandidateGeometry,
): Float32Array {
  const out = new Float32Array(JUDGE_FEATURE_COUNT);
  const top = readingFeatures(input784, probabilities, out).sort((a, b) => b - a);
  let k = READING_FEATURES;
  for (let t = 0; t < 3; t++) out[k++] = top[t];
  out[k++] = clip(g.width, 0, 3);
  out[k++] = clip(g.height, 0, 3);
  out[k++] = Math.min(g.parts, 6);
  out[k++] = clip(g.mass, 0, 3);
  out[k++] = clip(g.leftCut, 0, 2);
  out[k++] = clip(g.rightCut, 0, 2);
  out[k++] = g.leftIsCut ? 1 : 0;
  out[k++] = g.rightIsCut ? 1 : 0;
  out[k++] = clip(g.gapBefore, -1, GAP_CLIP);
  out[k++] = clip(g.gapAfter, -1, GAP_CLIP);
  return out;
}

/** The log-odds that the crop with these features is one whole digit. */
export function judgeLogOdds(features: ArrayLike<number>, model = SEGMENT_JUDGE_MODEL): number {
  return mlpLogit(features, model);
}

/** log P(whole digit) from the log-odds, computed without overflow. */
export function logWhole(logOdds: number): number {
  return logOdds >= 0 ? -Math.log1p(Math.exp(-logOdds)) : logOdds - Math.log1p(Math.exp(logOdds));
}
