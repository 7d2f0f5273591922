// Every file in ../shared/models-in-the-wild, met as a user meets it: `predict --model` on the
// tutorial's three.bmp, `evaluate` on MNIST test digits (the first LIMIT: the whole set takes
// about two minutes per CNN on this machine) at the accuracy the official runtime gives when fed
// directly, and the files that are not digit classifiers refused with their reason.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../../src/data/mnist.ts";
import { directAccuracy } from "../runtime/direct-litert.ts";

const WILD = "../shared/models-in-the-wild";
const THREE = join(WILD, "tutorial-three.bmp");
const LIMIT = 2000;
if (!existsSync(WILD))
  throw new Error(`missing ${WILD} (the shared folder of other people's models)`);

/** What the folder's README says each file is: a digit model, or a reason to refuse it. */
const REFUSED: Record<string, RegExp> = {
  "keras2-cnn-dropout.edgetpu.tflite": /custom operator "edgetpu-custom-op".*Edge TPU/,
  "tutorial-mat_mul.tflite": /not an image model/,
  "tflite-support-mobilenet-quant-with-metadata.tflite": /not a digit classifier.*1001/,
};

function cli(...args: string[]) {
  return spawnSync(process.execPath, ["bin/digitkit.js", ...args], { encoding: "utf8" });
}

const models = readdirSync(WILD).filter((name) => /\.(tflite|h5|keras)$/.test(name));
const { test: mnist } = await loadMnist();

for (const name of models.filter((n) => n.endsWith(".tflite"))) {
  const path = join(WILD, name);
  const reason = REFUSED[name];
  if (reason) {
    test(`${name} is refused with its reason, by predict, evaluate and info`, () => {
      for (const run of [
        cli("predict", "--model", path, THREE),
        cli("evaluate", path, "--limit", "10"),
      ]) {
        assert.equal(run.status, 1, run.stderr);
        assert.equal(run.stdout, "");
        const lines = run.stderr.trim().split("\n");
        assert.equal(lines.length, 1, run.stderr);
        assert.match(lines[0], reason);
      }
      const info = cli("info", path);
      assert.equal(info.status, 0, info.stderr);
      assert.match(info.stdout, /DigitKit will not open it: /);
    });
    continue;
  }
  test(`${name}: three.bmp reads as 3, MNIST at the official runtime's accuracy`, async () => {
    const predict = cli("predict", "--model", path, THREE, "--json");
    assert.equal(predict.status, 0, predict.stderr);
    const answer = JSON.parse(predict.stdout);
    assert.equal(answer.digit, 3);
    assert.ok(answer.probability > 0.5, `3 at ${answer.probability}`);

    const evaluate = cli("evaluate", path, "--limit", String(LIMIT), "--json");
    assert.equal(evaluate.status, 0, evaluate.stderr);
    const { n, accuracy } = JSON.parse(evaluate.stdout);
    assert.equal(n, LIMIT);
    const reference = await directAccuracy(new Uint8Array(readFileSync(path)), mnist, LIMIT);
    assert.ok(reference > 0.9, `the official runtime reads ${reference} of them`);
    assert.equal(accuracy, reference, "DigitKit feeds it as the runtime fed directly does");

    const info = cli("info", path);
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /DigitKit will feed it: input \[/);
  });
}

test("Keras files given as a model are converted in memory and read; weights alone say how to convert", () => {
  for (const name of models.filter((n) => !n.endsWith(".tflite"))) {
    const run = cli("predict", "--model", join(WILD, name), THREE, "--json");
    if (/weights-only/.test(name)) {
      // No architecture in the file: predict cannot guess one, and says how to give it.
      assert.equal(run.status, 1, run.stderr);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /\bat .*\.ts:\d+/);
      assert.match(run.stderr, /weights only .*digitkit convert .*--arch/);
    } else {
      assert.equal(run.status, 0, `${name}: ${run.stderr}`);
      assert.equal(JSON.parse(run.stdout).digit, 3, name);
    }
  }
});
