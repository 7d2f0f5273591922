// Fine-tuning the image splitter's judge on whole groupings (scripts/lib/fit-grouping.ts): the
// loss is −log P(number read right) over the row's groupings, and fitting it makes the best
// grouping spell the number where the crop-by-crop judge let a merged pair win.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bestReading,
  fitGrouping,
  type GroupingParams,
  type GroupingRow,
  groupingLoss,
  rawGroupingRow,
  readRight,
} from "../../scripts/lib/fit-grouping.ts";
import { createRng } from "../../src/util/rng.ts";

// Three parts that spell 1 2 3; the merged candidates read sure (high base), as a squeezed pair
// does, and their features (z[0] = 1) tell them apart from single digits (z[1] = 1).
const single = Float64Array.of(0, 1);
const merged = Float64Array.of(1, 0);
const row: GroupingRow = {
  parts: 3,
  candidates: [
    { from: 0, to: 1, digit: 1, base: -1, z: single },
    { from: 1, to: 2, digit: 2, base: -1, z: single },
    { from: 2, to: 3, digit: 3, base: -1, z: single },
    { from: 0, to: 2, digit: 4, base: -0.2, z: merged },
    { from: 1, to: 3, digit: 8, base: -0.2, z: merged },
  ],
  skips: [],
  digits: [1, 2, 3],
};

/** A judge whose logit is 0 for every candidate (log P(whole) = −log 2). */
function flatJudge(): GroupingParams {
  return {
    w1: new Float64Array(2 * 2),
    b1: Float64Array.of(1, 1),
    w2: new Float64Array(2),
    b2: 0,
    weight: 1,
    bonus: 0.5,
  };
}

test("the grouping loss is −log P(right) over every grouping of the row, counted by hand", () => {
  const p = flatJudge();
  const s = (base: number) => base + p.bonus - Math.log(2);
  // Groupings: 1|2|3, 4|3 (merged 0–2), 1|8 (merged 1–3).
  const right = 3 * s(-1);
  const all = [right, s(-0.2) + s(-1), s(-1) + s(-0.2)];
  const logSum = Math.log(all.reduce((sum, x) => sum + Math.exp(x), 0));
  const loss = groupingLoss(p, row);
  assert.ok(loss !== null);
  assert.ok(Math.abs(loss - (logSum - right)) < 1e-12, `loss ${loss}, by hand ${logSum - right}`);
  // With no grouping spelling the number there is nothing to fit.
  assert.equal(groupingLoss(p, { ...row, digits: [9, 9, 9] }), null);
});

test("a part with no ink of its own may be passed over, at no cost", () => {
  const p = flatJudge();
  const withSkip: GroupingRow = {
    ...row,
    parts: 4,
    candidates: [...row.candidates.slice(0, 2), { from: 3, to: 4, digit: 3, base: -1, z: single }],
    skips: [2],
  };
  assert.deepEqual(bestReading(p, withSkip), [1, 2, 3]);
  const loss = groupingLoss(p, withSkip);
  assert.ok(loss !== null && Math.abs(loss) < 1e-12, `the only grouping is right: loss ${loss}`);
  // rawGroupingRow: a part with no candidate of its own is skippable unless a sure join holds it.
  const raw = rawGroupingRow(
    3,
    [0, 0],
    [{ from: 0, to: 1, digit: 1, base: 0, features: new Float32Array(2) }],
    [1],
  );
  assert.deepEqual(raw.skips, [1, 2]);
  const joined = rawGroupingRow(3, [0, 1e9], raw.candidates, [1]);
  assert.deepEqual(joined.skips, []);
});

test("fitting the judge on groupings makes the merged pair lose to the digits written", () => {
  const start = flatJudge();
  // Some spread in the hidden layer so the gradient reaches both inputs.
  start.w1.set([0.3, -0.2, -0.1, 0.4]);
  start.w2.set([0.2, 0.2]);
  assert.notDeepEqual(bestReading(start, row), [1, 2, 3]);
  assert.equal(readRight(start, [row]), 0);
  const before = groupingLoss(start, row) ?? Number.NaN;
  const losses: number[] = [];
  const tuned = fitGrouping(Array(32).fill(row), start, {
    epochs: 40,
    rng: createRng(3),
    learningRate: 0.02,
    report: (_, loss) => losses.push(loss),
  });
  const after = groupingLoss(tuned, row) ?? Number.NaN;
  assert.ok(after < before / 2, `loss ${before.toFixed(3)} → ${after.toFixed(3)}`);
  assert.ok(losses[losses.length - 1] < losses[0], "the reported loss falls");
  assert.deepEqual(bestReading(tuned, row), [1, 2, 3]);
  assert.equal(readRight(tuned, [row]), 1);
  // The start is left as it was: the fit works on copies.
  assert.deepEqual(Array.from(start.w2), [0.2, 0.2]);
});
