// The CTC loss used to train the line reader (src/train/ctc-loss.ts): its value is the forward
// likelihood's, and its gradient matches finite differences of that value.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CLASSES, frameLogProbabilities, logLikelihood } from "../../src/recognize/ctc.ts";
import { ctcLoss } from "../../src/train/ctc-loss.ts";
import { createRng } from "../../src/util/rng.ts";

test("the CTC loss's gradient matches finite differences, for a batch of labels", () => {
  const frames = 7;
  const labels = [[3, 3], [1, 2, 5], [], [9]];
  const rng = createRng(8);
  const scores = Float64Array.from(
    { length: labels.length * frames * CLASSES },
    () => 2 * (rng() - 0.5),
  );
  const meanLoss = (s: Float64Array) =>
    labels.reduce((sum, label, b) => {
      const logp = frameLogProbabilities(s, b * frames * CLASSES, frames);
      return sum - logLikelihood(logp, label);
    }, 0) / labels.length;
  const { loss, gradient } = ctcLoss(Float32Array.from(scores), frames, labels);
  assert.ok(Math.abs(loss - meanLoss(scores)) < 1e-4, `loss ${loss} against ${meanLoss(scores)}`);
  const h = 1e-5;
  let worst = 0;
  for (let i = 0; i < scores.length; i++) {
    const up = Float64Array.from(scores);
    const down = Float64Array.from(scores);
    up[i] += h;
    down[i] -= h;
    const numeric = (meanLoss(up) - meanLoss(down)) / (2 * h);
    worst = Math.max(worst, Math.abs(numeric - gradient[i]));
  }
  assert.ok(worst < 1e-4, `the gradient is off by up to ${worst}`);
});

test("a label the frames cannot spell adds no loss and no gradient", () => {
  const frames = 2;
  const scores = new Float32Array(frames * CLASSES);
  const { loss, gradient } = ctcLoss(scores, frames, [[1, 1, 1]]);
  assert.equal(loss, 0);
  assert.ok(gradient.every((g) => g === 0));
});
