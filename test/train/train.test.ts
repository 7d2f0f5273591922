import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../../src/data/mnist.ts";
import { loadCheckpoint, readTrainingInfo } from "../../src/model/checkpoint.ts";
import { evaluateModel } from "../../src/model/evaluate.ts";
import { loadNativeKernels, nativeDisabled } from "../../src/train/engines/native-addon.ts";
import { train } from "../../src/train/train.ts";
import { quickRun, tempDir, weights } from "./train-runs.ts";

const options = quickRun;

test("a short run on 3,000 digits clearly beats chance and writes checkpoint, history and report", async () => {
  const out = tempDir();
  const result = await train(options(out, { limitTrain: 3000, limitTest: 1000 }));
  assert.equal(result.stopped, false);
  assert.ok(
    result.evaluation && result.evaluation.accuracy > 0.7,
    `accuracy ${result.evaluation?.accuracy}`,
  );
  for (const file of [
    "model.json",
    "weights.bin",
    "training.json",
    "optimizer.bin",
    "report.html",
  ]) {
    assert.ok(existsSync(join(out, file)), file);
  }
  const info = readTrainingInfo(out);
  assert.equal(info.parameters, 669706);
  assert.equal(info.history.length, 1);
  assert.equal(info.testAccuracy, result.evaluation?.accuracy);
  // The checkpoint, loaded and scored by TF.js, gives the test accuracy the run reported.
  const { test: testSet } = await loadMnist();
  const limited = {
    ...testSet,
    count: 1000,
    images: testSet.images.subarray(0, 1000 * 784),
    labels: testSet.labels.subarray(0, 1000),
  };
  const tfjs = evaluateModel(await loadCheckpoint(out), limited);
  assert.equal(tfjs.accuracy, info.testAccuracy);
  assert.deepEqual(tfjs.confusion, result.evaluation?.confusion);
  assert.ok(info.history[0].loss > 0 && info.history[0].valAcc > 0.7);
  const report = readFileSync(join(out, "report.html"), "utf8");
  assert.match(report, /<svg/);
  assert.match(report, /Confusion matrix/);
  assert.match(report, /data:image\/png;base64,/);
});

test("the same seed gives bit-identical weights; another seed does not", async () => {
  const [a, b, c] = [tempDir(), tempDir(), tempDir()];
  await train(options(a));
  await train(options(b));
  await train(options(c, { seed: 6 }));
  assert.ok(weights(a).equals(weights(b)), "same seed, same weights");
  assert.ok(!weights(a).equals(weights(c)), "another seed, other weights");
});

test("the Dense engine gives the same weights whatever the number of workers", async () => {
  const [one, two] = [tempDir(), tempDir()];
  await train(options(one, { workers: 1 }));
  await train(options(two, { workers: 2 }));
  assert.ok(weights(one).equals(weights(two)));
});

test("stopping then --resume gives the same weights as an uninterrupted run (optimizer state too)", async () => {
  const straight = tempDir();
  await train(options(straight, { epochs: 2 }));
  const interrupted = tempDir();
  // Stop during the second epoch: the checkpoint must keep the first.
  const controller = new AbortController();
  const stopped = await train(
    options(interrupted, {
      epochs: 2,
      signal: controller.signal,
      log: (line) => {
        if (line.startsWith("Epoch 2/")) setTimeout(() => controller.abort(), 0);
      },
    }),
  );
  assert.equal(stopped.stopped, true);
  assert.equal(readTrainingInfo(interrupted).history.length, 1);
  const resumed = await train(options(interrupted, { epochs: 2, resume: true }));
  assert.equal(resumed.stopped, false);
  assert.equal(readTrainingInfo(interrupted).history.length, 2);
  assert.ok(
    weights(straight).equals(weights(interrupted)),
    "resumed run matches the uninterrupted one",
  );
});

test("the autodiff engine (the MLP with dropout) trains and repeats with the same seed", async () => {
  const [a, b] = [tempDir(), tempDir()];
  await train(options(a, { dropout: 0.2, limitTrain: 512 }));
  await train(options(b, { dropout: 0.2, limitTrain: 512 }));
  assert.equal(readTrainingInfo(a).engine, "autodiff");
  assert.ok(weights(a).equals(weights(b)));
});

// The native and the autodiff CNN engines each have their own tests in native-cnn.test.ts; this
// one is what `train --arch cnn` gets by default: the native engine when it was built.
test("--arch cnn trains its 225,034 parameters on the native engine when built, else autodiff", async () => {
  const cnn = tempDir();
  const result = await train(options(cnn, { arch: "cnn", limitTrain: 256, limitTest: 200 }));
  assert.ok(Number.isFinite(result.info.history[0].loss));
  const info = readTrainingInfo(cnn);
  assert.equal(info.parameters, 225034);
  assert.equal(info.engine, loadNativeKernels() && !nativeDisabled() ? "cnn" : "autodiff");
});
