// A second opinion on an image's number from the whole line at once. The image splitter
// (split-image.ts) cuts the ink into digits and reads each with the digit model; where digits
// touch, a wrong cut reads a pair as one digit or one digit as two. The line reader is a small
// convolutional network trained with CTC on composed numbers of pen digits and of MNIST's digits,
// photographed as scans (scripts/train-line-reader.ts): it reads the line strip (line-image.ts)
// as 36 frames, each the ten digits or a blank, and needs no cuts. It first chooses among the
// splitter's best groupings (chooseGrouping), then overrules the chosen one only when its digits
// are far less likely under the frames than the reader's own reading (LINE_MARGIN), and never a
// reading of one digit by another.
import { planPlainModel } from "../runtime/plain-model.ts";
import type { TfliteModel } from "../runtime/tflite-runtime.ts";
import { UserError } from "../util/errors.ts";
import { bestPath, CLASSES, frameLogProbabilities, logLikelihood, type PathDigit } from "./ctc.ts";
import { LINE_HEIGHT, LINE_WIDTH, type LineStrip, lineImage } from "./line-image.ts";
import { type ByteImage, preprocess } from "./preprocess.ts";
import type { Span } from "./segment.ts";
import type { DigitReading } from "./types.ts";

/**
 * Where frame t reads a digit in the strip: x = FRAME_STRIDE·t + FRAME_CENTRE. The stride is the
 * network's two 2× poolings; the centre is learnt, not built in: CTC fires a digit once it has
 * seen the whole of it, near the right end of its receptive field (which is centred at 4t + 25).
 * For the shipped reader the median, over writers 16–20's numbers it reads right, is 6.7:
 * scripts/train-line-reader.ts prints the value for the reader it trains.
 */
export const FRAME_STRIDE = 4;
export const FRAME_CENTRE = 7;
/**
 * How many nats more likely the reader's own digits must be than the splitter's for it to
 * overrule them (higher keeps more of the splitter's right answers on spaced numbers, lower fixes
 * more touching ones). Tuned with LINE_GROUPINGS and LINE_GROUPING_WEIGHT on 1,200 4-digit numbers,
 * spaced and touching, of writers 16–20 and of MNIST's test digits 0–4,999.
 */
export const LINE_MARGIN = 3.5;
/** How many of the splitter's best groupings (segment.ts's bestGroupings) the reader chooses among. */
export const LINE_GROUPINGS = 8;
/**
 * How much the reader's log-likelihood of a grouping's digits counts beside the grouping's own
 * score when it chooses: the splitter's second or third grouping is often the right one (a 1 not
 * merged into its neighbour), and the reader, which needs no cuts, tells it apart.
 */
export const LINE_GROUPING_WEIGHT = 1;
/**
 * The least mean log-likelihood per digit (nats) at which the reader vouches for the splitter's
 * digits: marks the not-a-digit check mostly flags are still read as a number when the reader
 * reads them as those digits.
 */
export const LINE_VOUCH = -1;
/**
 * The share of the reader's own digits whose boxes the not-a-digit check must flag for them not
 * to be read as a number. Writers 16–20, 100 numbers of each kind, with the first reader (trained
 * on pendigits alone): at 0.75 one right number is lost of 4-digit ones (none touching) and two of
 * 8-digit touching ones, and 46–71% of lines of 4 or 8 UNIPEN letters are no longer read as
 * numbers; at 0.5 six and seven right touching numbers are lost; at 1, none, but 18–30% of
 * letters are caught.
 */
export const LINE_NOT_DIGITS_SHARE = 0.75;
/** Where the shipped line reader lives in the models folder (a folder of its own: not a digit model). */
export const LINE_READER_FILE = "line-reader/line_reader.tflite";
/** Ink at or above this (0–255) counts when a digit's box is fitted to the ink in its columns. */
const BOX_INK = 32;

export class LineReader {
  readonly frames: number;

  constructor(private readonly model: TfliteModel) {
    const [batch, height, width, channels] = model.inputShape;
    const out = model.outputShape;
    if (batch !== 1 || height !== LINE_HEIGHT || width !== LINE_WIDTH || channels !== 1) {
      throw new UserError(
        `the line reader takes [1,${LINE_HEIGHT},${LINE_WIDTH},1], not [${model.inputShape}]`,
      );
    }
    if (out.length !== 4 || out[0] !== 1 || out[1] !== 1 || out[3] !== CLASSES) {
      throw new UserError(`the line reader gives [1,1,frames,${CLASSES}], not [${out}]`);
    }
    this.frames = out[2];
  }

  /** A line reader from its .tflite bytes (float32, the ops plain-model.ts runs). */
  static fromTflite(bytes: Uint8Array): LineReader {
    const model = planPlainModel(bytes);
    if (!model)
      throw new UserError("the line reader model uses ops the plain runtime does not run");
    return new LineReader(model);
  }

  /** The frames' log-probabilities (frames × CLASSES) for a strip. */
  read(strip: LineStrip): Float64Array {
    return frameLogProbabilities(this.model.run(strip.pixels));
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** What the image splitter knows of the line, for the line reader. */
export interface LineInk {
  ink: ByteImage;
  /** The kept parts' boxes and the line height, in working-image pixels. */
  boxes: readonly Span[];
  line: number;
  /** Image pixels per working-image pixel, and the image's size. */
  factor: number;
  width: number;
  height: number;
}

/** The line as the reader sees it: its strip, and the frames' log-probabilities. */
export interface LineFrames {
  strip: LineStrip;
  logp: Float64Array;
}

/** Reads the line once: the overrule and the vouching for the splitter's digits share it. */
export function readLineFrames(reader: LineReader, line: LineInk): LineFrames {
  const strip = lineImage(line.ink, line.boxes, line.line);
  return { strip, logp: reader.read(strip) };
}

/**
 * Which of the splitter's groupings (their digits and scores, best first) the reader chooses: the
 * one whose score plus LINE_GROUPING_WEIGHT times the reader's log-likelihood of its digits is
 * highest (the first on a tie).
 */
export function chooseGrouping(
  { logp }: Pick<LineFrames, "logp">,
  groupings: readonly { digits: readonly number[]; score: number }[],
): number {
  let chosen = 0;
  let best = -Infinity;
  for (const [k, { digits, score }] of groupings.entries()) {
    const total = score + LINE_GROUPING_WEIGHT * logLikelihood(logp, digits);
    if (total > best) {
      best = total;
      chosen = k;
    }
  }
  return chosen;
}

/** Whether the frames read the digits likely enough to vouch for them (LINE_VOUCH). */
export function vouchesFor(frames: LineFrames, digits: readonly DigitReading[]): boolean {
  const labels = digits.map((d) => d.digit);
  return logLikelihood(frames.logp, labels) >= LINE_VOUCH * labels.length;
}

/**
 * The line reader's digits in place of the splitter's, or null where it does not overrule them:
 * it reads the same, its reading is not enough more likely, or both read one digit.
 */
export function overruleDigits(
  { strip, logp }: LineFrames,
  line: LineInk,
  split: readonly DigitReading[],
  margin = LINE_MARGIN,
): DigitReading[] | null {
  const path = bestPath(logp);
  const own = path.map((p) => p.digit);
  const theirs = split.map((d) => d.digit);
  if (own.length === 0 || own.join("") === theirs.join("")) return null;
  if (own.length === 1 && theirs.length === 1) return null;
  if (logLikelihood(logp, own) < logLikelihood(logp, theirs) + margin) return null;
  const edges = digitEdges(path, strip);
  return path.map((p, k) => {
    const probabilities = digitProbabilities(logp, p);
    const box = inkBox(line.ink, strip.box, edges[k], edges[k + 1]);
    return {
      digit: p.digit,
      probability: probabilities[p.digit],
      probabilities,
      box: {
        x: box.left * line.factor,
        y: box.top * line.factor,
        width: Math.min(line.width, box.right * line.factor) - box.left * line.factor,
        height: Math.min(line.height, box.bottom * line.factor) - box.top * line.factor,
      },
      input: boxInput(line.ink, box),
    };
  });
}

/** The ten digits' probabilities at the frame where the path is surest of its digit. */
function digitProbabilities(logp: Float64Array, digit: PathDigit): number[] {
  let peak = digit.first;
  for (let t = digit.first; t <= digit.last; t++) {
    if (logp[t * CLASSES + digit.digit] > logp[peak * CLASSES + digit.digit]) peak = t;
  }
  const odds = Array.from({ length: 10 }, (_, d) => Math.exp(logp[peak * CLASSES + d]));
  const sum = odds.reduce((a, b) => a + b, 0);
  return odds.map((v) => v / sum);
}

/** The working-image x of each border between the path's digits, with the ink's ends outside. */
function digitEdges(path: readonly PathDigit[], strip: LineStrip): number[] {
  const x = (t: number) => strip.left + (FRAME_STRIDE * t + FRAME_CENTRE) * strip.step;
  const edges = [strip.box.left];
  for (let k = 1; k < path.length; k++) {
    edges.push(Math.round((x(path[k - 1].last) + x(path[k].first)) / 2));
  }
  edges.push(strip.box.right);
  return edges.map((e) => Math.min(strip.box.right, Math.max(strip.box.left, e)));
}

/** The box of the ink in columns [left, right) of the line's box (the whole height when none). */
function inkBox(ink: ByteImage, line: Span, left: number, right: number): Span {
  const box = { left: right, top: line.bottom, right: left, bottom: line.top };
  for (let y = line.top; y < line.bottom; y++) {
    for (let x = left; x < right; x++) {
      if (ink.data[y * ink.width + x] < BOX_INK) continue;
      box.left = Math.min(box.left, x);
      box.right = Math.max(box.right, x + 1);
      box.top = Math.min(box.top, y);
      box.bottom = Math.max(box.bottom, y + 1);
    }
  }
  if (box.left >= box.right)
    return { left, top: line.top, right: Math.max(right, left + 1), bottom: line.bottom };
  return box;
}

/** The 784 inputs of the ink in a box, as the digit model would see it (zeros when none). */
function boxInput(ink: ByteImage, box: Span): Float32Array {
  // A blank margin as the splitter's crops have, so the preprocessing finds the paper around it.
  const margin = 2 + Math.round(0.25 * (box.bottom - box.top));
  const width = box.right - box.left + 2 * margin;
  const height = box.bottom - box.top + 2 * margin;
  const data = new Uint8Array(width * height);
  for (let y = box.top; y < box.bottom; y++) {
    const from = y * ink.width + box.left;
    data.set(
      ink.data.subarray(from, from + box.right - box.left),
      (y - box.top + margin) * width + margin,
    );
  }
  return preprocess(data, width, height) ?? new Float32Array(784);
}
