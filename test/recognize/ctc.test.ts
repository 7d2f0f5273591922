// CTC over a line reader's frames (src/recognize/ctc.ts): the likelihood sums every alignment,
// checked against enumerating them all; the best path merges repeats and drops blanks.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BLANK,
  bestPath,
  CLASSES,
  frameLogProbabilities,
  logLikelihood,
} from "../../src/recognize/ctc.ts";
import { createRng } from "../../src/util/rng.ts";

/** What a frame-by-frame path spells: repeats merged, blanks dropped. */
function collapse(path: readonly number[]): string {
  const out: number[] = [];
  path.forEach((k, t) => {
    if (k !== BLANK && k !== path[t - 1]) out.push(k);
  });
  return out.join(",");
}

test("the likelihood of a string is the sum over every path that spells it", () => {
  const frames = 4;
  const rng = createRng(3);
  const scores = Float32Array.from({ length: frames * CLASSES }, () => 3 * (rng() - 0.5));
  const logp = frameLogProbabilities(scores);
  const sums = new Map<string, number>();
  for (let code = 0; code < CLASSES ** frames; code++) {
    const path: number[] = [];
    let p = 1;
    for (let t = 0, c = code; t < frames; t++, c = Math.floor(c / CLASSES)) {
      path.push(c % CLASSES);
      p *= Math.exp(logp[t * CLASSES + (c % CLASSES)]);
    }
    const spelt = collapse(path);
    sums.set(spelt, (sums.get(spelt) ?? 0) + p);
  }
  for (const digits of [[], [3], [3, 3], [1, 2], [7, 0, 7], [4, 4, 4]]) {
    const want = sums.get(digits.join(",")) ?? 0;
    const got = Math.exp(logLikelihood(logp, digits));
    assert.ok(Math.abs(got - want) < 1e-12, `${digits}: ${got} against ${want} from every path`);
  }
  // Four frames cannot spell 1,1,1 (a blank must part each repeat): probability 0.
  assert.equal(logLikelihood(logp, [1, 1, 1]), -Infinity);
  const total = [...sums.values()].reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, "the frames' probabilities sum to 1 over all strings");
});

test("the best path merges a digit held over frames, keeps a repeat parted by a blank", () => {
  const frames = [BLANK, 2, 2, BLANK, 2, 5, 5, 5, BLANK, BLANK];
  const scores = new Float32Array(frames.length * CLASSES);
  frames.forEach((k, t) => {
    scores[t * CLASSES + k] = 5;
  });
  assert.deepEqual(bestPath(frameLogProbabilities(scores)), [
    { digit: 2, first: 1, last: 2 },
    { digit: 2, first: 4, last: 4 },
    { digit: 5, first: 5, last: 7 },
  ]);
});
