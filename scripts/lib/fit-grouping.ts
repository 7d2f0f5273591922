// Fine-tuning the image splitter's judge on whole groupings: the judge fitted crop by crop ("is
// this one whole digit?") leaves the grouping free to read two touching digits as one sure digit,
// since a merged pair and the two cut halves it competes with are all judged unsure. Here the
// judge's weights and the score per digit are fitted so that the groupings spelling the number
// written gain probability against all groupings of the row (a conditional random field over the
// splitter's candidates, as segment.ts scores them): the loss is −log P(number read right).
// Gradients by the forward–backward sums over the row's parts, then back through the judge.
import { SURE_JOIN } from "../../src/recognize/segment.ts";
import { logWhole } from "../../src/recognize/segment-judge.ts";
import type { SmallMlp } from "../../src/recognize/small-mlp.ts";
import { type Rng, shuffleInPlace } from "../../src/util/rng.ts";
import { adamStep, addLogitGradient, hiddenAndLogit } from "./fit-small-mlp.ts";

/** One candidate digit of a row: parts [from, to), its top digit, its score before the judge. */
export interface GroupingCandidate {
  from: number;
  to: number;
  digit: number;
  /** segment.ts's score without the digit bonus and the judge (classifier, geometry, shape). */
  base: number;
  /** The judge's features, standardised by the judge's own mean and spread. */
  z: Float64Array;
}

/** A row of parts to group, with what it should read. */
export interface GroupingRow {
  parts: number;
  candidates: GroupingCandidate[];
  /** Parts the grouping may pass over at no cost (no ink of their own to read). */
  skips: number[];
  digits: number[];
}

/** A row as the splitter read it: its candidates' judge features not yet standardised. */
export interface RawGroupingRow extends Omit<GroupingRow, "candidates"> {
  candidates: (Omit<GroupingCandidate, "z"> & { features: Float32Array })[];
}

/**
 * The row of `parts` parts whose candidates the splitter scored: the parts it may pass over are
 * the single parts it did not score (their ink too little to read) that neighbours need not join.
 */
export function rawGroupingRow(
  parts: number,
  join: readonly number[],
  candidates: RawGroupingRow["candidates"],
  digits: number[],
): RawGroupingRow {
  const singles = new Set(candidates.filter((c) => c.to === c.from + 1).map((c) => c.from));
  const skips: number[] = [];
  for (let part = 0; part < parts; part++) {
    if (singles.has(part)) continue;
    if (part + 1 < parts && join[part] > SURE_JOIN) continue;
    if (part > 0 && join[part - 1] > SURE_JOIN) continue;
    skips.push(part);
  }
  return { parts, candidates, skips, digits };
}

/** Rows with their candidates' features standardised by the judge's own mean and spread. */
export function standardisedRows(rows: readonly RawGroupingRow[], judge: SmallMlp): GroupingRow[] {
  return rows.map((row) => ({
    ...row,
    candidates: row.candidates.map(({ features, ...c }) => ({
      ...c,
      z: Float64Array.from(
        { length: judge.mean.length },
        (_, f) => (features[f] - judge.mean[f]) / judge.std[f],
      ),
    })),
  }));
}

/** What is fitted: the judge's layers, and the scores it is weighed with. */
export interface GroupingParams {
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: number;
  weight: number;
  bonus: number;
}

const logAdd = (a: number, b: number) =>
  a === -Infinity
    ? b
    : b === -Infinity
      ? a
      : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));

/** The judge's logit for standardised features, its hidden layer left in `h` (for the gradient). */
const judgeLogit = (p: GroupingParams, z: Float64Array, h: Float64Array) =>
  hiddenAndLogit(p.w1, p.b1, p.w2, p.b2, z, h);

/** Each candidate's full score in the grouping (segment.ts), with its judge logit. */
function scores(p: GroupingParams, row: GroupingRow, h: Float64Array) {
  return row.candidates.map((c) => {
    const t = judgeLogit(p, c.z, h);
    return { t, s: c.base + p.bonus + p.weight * logWhole(t) };
  });
}

/**
 * Log-sums over paths through the row: `forward[state]` over paths from the start, `backward`
 * to the end. States are part boundaries, or (boundary, digits spelled so far) when `spell`.
 */
function pathSums(row: GroupingRow, s: number[], spell: boolean) {
  const width = spell ? row.digits.length + 1 : 1;
  const size = (row.parts + 1) * width;
  const forward = new Float64Array(size).fill(-Infinity);
  const backward = new Float64Array(size).fill(-Infinity);
  forward[0] = 0;
  backward[row.parts * width + (spell ? row.digits.length : 0)] = 0;
  type Edge = { from: number; to: number; score: number };
  const edges: Edge[] = [];
  row.candidates.forEach((c, i) => {
    for (let k = 0; k < width; k++) {
      if (spell && (k >= row.digits.length || row.digits[k] !== c.digit)) continue;
      edges.push({ from: c.from * width + k, to: c.to * width + (spell ? k + 1 : 0), score: s[i] });
    }
  });
  for (const part of row.skips) {
    for (let k = 0; k < width; k++)
      edges.push({ from: part * width + k, to: (part + 1) * width + k, score: 0 });
  }
  // Every edge goes rightwards, so sorting by start (and by end, backwards) orders the sums.
  edges.sort((a, b) => a.from - b.from);
  for (const e of edges) forward[e.to] = logAdd(forward[e.to], forward[e.from] + e.score);
  for (let i = edges.length - 1; i >= 0; i--) {
    const e = edges[i];
    backward[e.from] = logAdd(backward[e.from], backward[e.to] + e.score);
  }
  return { forward, backward, width, total: backward[0] };
}

/** P(candidate on the path) under all paths and under the paths that spell the number. */
function marginals(row: GroupingRow, s: number[]) {
  const all = pathSums(row, s, false);
  const right = pathSums(row, s, true);
  if (right.total === -Infinity || all.total === -Infinity) return null;
  const gradient = row.candidates.map((c, i) => {
    let onAll = Math.exp(all.forward[c.from] + s[i] + all.backward[c.to] - all.total);
    let onRight = 0;
    for (let k = 0; k < row.digits.length; k++) {
      if (row.digits[k] !== c.digit) continue;
      onRight += Math.exp(
        right.forward[c.from * right.width + k] +
          s[i] +
          right.backward[c.to * right.width + k + 1] -
          right.total,
      );
    }
    if (!Number.isFinite(onAll)) onAll = 0;
    return onAll - onRight; // d(−log P(right)) / d(score)
  });
  return { loss: all.total - right.total, gradient };
}

/** −log P(the row read right) under `p`, or null when no grouping spells its number. */
export function groupingLoss(p: GroupingParams, row: GroupingRow): number | null {
  const h = new Float64Array(p.b1.length);
  const result = marginals(
    row,
    scores(p, row, h).map((x) => x.s),
  );
  return result ? result.loss : null;
}

/** The digits of the best grouping (as segment.ts chooses), for judging a fit. */
export function bestReading(p: GroupingParams, row: GroupingRow): number[] {
  const h = new Float64Array(p.b1.length);
  const s = scores(p, row, h).map((x) => x.s);
  const best = new Float64Array(row.parts + 1).fill(-Infinity);
  const back: (number[] | null)[] = new Array(row.parts + 1).fill(null);
  best[0] = 0;
  back[0] = [];
  const skips = new Set(row.skips);
  const order = row.candidates
    .map((_, i) => i)
    .sort((a, b) => row.candidates[a].to - row.candidates[b].to);
  let next = 0;
  for (let to = 1; to <= row.parts; to++) {
    if (skips.has(to - 1) && best[to - 1] > best[to]) {
      best[to] = best[to - 1];
      back[to] = back[to - 1];
    }
    for (; next < order.length && row.candidates[order[next]].to === to; next++) {
      const c = row.candidates[order[next]];
      const score = best[c.from] + s[order[next]];
      if (score > best[to]) {
        best[to] = score;
        back[to] = [...(back[c.from] ?? []), c.digit];
      }
    }
  }
  return back[row.parts] ?? [];
}

/** The share of rows whose best grouping reads the number written. */
export function readRight(p: GroupingParams, rows: readonly GroupingRow[]): number {
  let right = 0;
  for (const row of rows) if (bestReading(p, row).join("") === row.digits.join("")) right++;
  return right / Math.max(1, rows.length);
}

/**
 * Fine-tunes the judge and the score per digit from `start` (the judge at its chosen weight) on
 * rows of composed numbers: Adam, batches of 16 rows, L2 1e-4 towards the starting weights so
 * that candidates no grouping decides keep their crop-by-crop judgement.
 */
export function fitGrouping(
  rows: readonly GroupingRow[],
  start: GroupingParams,
  {
    epochs,
    rng,
    learningRate = 3e-4,
    report,
  }: {
    epochs: number;
    rng: Rng;
    learningRate?: number;
    report?: (epoch: number, loss: number, p: GroupingParams) => void;
  },
): GroupingParams {
  const p: GroupingParams = {
    ...start,
    w1: Float64Array.from(start.w1),
    b1: Float64Array.from(start.b1),
    w2: Float64Array.from(start.w2),
  };
  const hidden = p.b1.length;
  const anchor = [start.w1, start.w2];
  const b2 = new Float64Array([p.b2]);
  const bonus = new Float64Array([p.bonus]);
  const params = [p.w1, p.b1, p.w2, b2, bonus];
  const grads = params.map((x) => new Float64Array(x.length));
  const m = params.map((x) => new Float64Array(x.length));
  const v = params.map((x) => new Float64Array(x.length));
  const h = new Float64Array(hidden);
  const order = rows.map((_, i) => i);
  const batch = 16;
  const l2 = 1e-4;
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, rng);
    let lossSum = 0;
    let counted = 0;
    for (let start0 = 0; start0 < order.length; start0 += batch) {
      for (const g of grads) g.fill(0);
      p.b2 = b2[0];
      p.bonus = bonus[0];
      let used = 0;
      for (const r of order.slice(start0, start0 + batch)) {
        const row = rows[r];
        const scored = scores(p, row, h);
        const result = marginals(
          row,
          scored.map((x) => x.s),
        );
        if (!result) continue;
        used++;
        lossSum += result.loss;
        counted++;
        row.candidates.forEach((c, i) => {
          const g = result.gradient[i];
          if (Math.abs(g) < 1e-9) return;
          grads[4][0] += g;
          // d logWhole(t) / dt = 1 − σ(t)
          const gt = g * p.weight * (1 / (1 + Math.exp(scored[i].t)));
          judgeLogit(p, c.z, h);
          addLogitGradient(p.w2, c.z, h, gt, grads);
        });
      }
      if (used === 0) continue;
      step++;
      for (let k = 0; k < params.length; k++) {
        const ref = k === 0 ? anchor[0] : k === 2 ? anchor[1] : null;
        for (let q = 0; q < params[k].length; q++)
          grads[k][q] = grads[k][q] / used + (ref ? l2 * (params[k][q] - ref[q]) : 0);
      }
      adamStep(params, grads, m, v, step, learningRate);
    }
    p.b2 = b2[0];
    p.bonus = bonus[0];
    report?.(epoch + 1, lossSum / Math.max(1, counted), p);
  }
  return p;
}
