import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { MODELS_DIR } from "../../src/cli/default-model.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { decodeImage } from "../../src/images/decode.ts";
import { Classifier } from "../../src/recognize/classifier.ts";
import { PREFERRED_MODELS } from "../../src/recognize/default-model.ts";
import { preprocess } from "../../src/recognize/preprocess.ts";
import type { Result } from "../../src/recognize/result.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";

// End to end with the trained models in models/ (the tutorial's checks).
const shipped = PREFERRED_MODELS.map((name) => `${MODELS_DIR}${name}`).filter((path) =>
  existsSync(path),
);

/** Each shipped model's answer for one image file. */
async function classifyWithEach(file: string): Promise<[string, Result][]> {
  const image = await decodeImage(readFileSync(file));
  const results: [string, Result][] = [];
  for (const path of shipped) {
    const classifier = await Classifier.load(readFileSync(path), nodeWasmRoot());
    results.push([path, classifier.classify(image.data, image.width, image.height)]);
    classifier.dispose();
  }
  return results;
}

test("a trained model is shipped", () => {
  assert.ok(shipped.length > 0, `one of ${PREFERRED_MODELS.join(", ")} in ${MODELS_DIR}`);
});

test("the fixture 3 (8-bit palette BMP, bottom-up) comes back 3 with probability ≥ 0.99", async () => {
  for (const [path, result] of await classifyWithEach("test/fixtures/three.bmp")) {
    assert.equal(result.digit, 3, path);
    assert.ok(result.probability >= 0.99, `${path}: ${result.probability}`);
  }
});

test("photo-like: dark ink on uneven paper, off-centre, 240×180 reads as its digit", async () => {
  for (const [path, result] of await classifyWithEach("test/fixtures/paper-2.jpg")) {
    assert.equal(result.digit, 2, path);
    assert.ok(result.probability >= 0.9, `${path}: ${result.probability}`);
  }
});

test("preprocessing keeps the models' MNIST accuracy", async () => {
  const { test: mnist } = await loadMnist();
  const count = 500;
  for (const path of shipped) {
    const classifier = await Classifier.load(readFileSync(path), nodeWasmRoot());
    let raw = 0;
    let prepared = 0;
    for (let i = 0; i < count; i++) {
      const pixels = mnist.images.subarray(i * 784, (i + 1) * 784);
      const label = mnist.labels[i];
      if (classifier.classifyInput(Float32Array.from(pixels, (v) => v / 255)).digit === label)
        raw++;
      if (classifier.classifyInput(preprocess(pixels, 28, 28)!).digit === label) prepared++;
    }
    classifier.dispose();
    assert.ok(prepared / count >= 0.96, `${path}: ${prepared}/${count}`);
    assert.ok(prepared >= raw - 3, `${path}: ${prepared} with preprocessing, ${raw} raw`);
  }
});

test("digitkit predict uses the best shipped model by default", () => {
  const run = spawnSync(
    process.execPath,
    ["bin/digitkit.js", "predict", "test/fixtures/three.bmp", "--json"],
    { encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  const line = JSON.parse(run.stdout);
  assert.equal(line.digit, 3);
  assert.ok(line.probability >= 0.99);
});
