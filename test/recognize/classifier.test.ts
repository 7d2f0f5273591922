import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { decodeImage } from "../../src/images/decode.ts";
import { Classifier } from "../../src/recognize/classifier.ts";
import { preprocess } from "../../src/recognize/preprocess.ts";
import { EmptyImageError, toProbabilities, toResult } from "../../src/recognize/result.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import type { TfliteModel } from "../../src/runtime/tflite-runtime.ts";
import { UserError } from "../../src/util/errors.ts";
import { centroidModelBytes, centroidReference, centroidWeights } from "./centroid-model.ts";

const three = await decodeImage(readFileSync("test/fixtures/three.bmp"));

test("the Classifier runs preprocess + the .tflite model and reports the whole call", async () => {
  const reference = await centroidWeights();
  const classifier = await Classifier.load(await centroidModelBytes(), nodeWasmRoot());
  try {
    assert.deepEqual(classifier.inputShape, [1, 784]);
    const result = classifier.classify(three.data, three.width, three.height);
    const expected = centroidReference(reference, preprocess(three.data, 28, 28)!);
    assert.equal(result.probabilities.length, 10);
    for (let d = 0; d < 10; d++) assert.ok(Math.abs(result.probabilities[d] - expected[d]) < 1e-5);
    assert.equal(result.digit, expected.indexOf(Math.max(...expected)));
    assert.equal(result.digit, 3, "even the class-mean model reads the fixture's 3");
    assert.equal(result.probability, result.probabilities[result.digit]);
    assert.ok(result.timeMs > 0 && result.timeMs < 1000);

    const direct = classifier.classifyInput(preprocess(three.data, 28, 28)!);
    assert.deepEqual(direct.probabilities, result.probabilities);
    assert.throws(() => classifier.classifyInput(new Float32Array(10)), RangeError);
    assert.throws(() => classifier.classify(new Uint8Array(28 * 28), 28, 28), EmptyImageError);
  } finally {
    classifier.dispose();
  }
});

test("a model taking [1,28,28,1] (the CNN's layout) gets the same 784 values", async () => {
  const flat = await Classifier.load(await centroidModelBytes(), nodeWasmRoot());
  const image = await Classifier.load(await centroidModelBytes([1, 28, 28, 1]), nodeWasmRoot());
  assert.deepEqual(image.inputShape, [1, 28, 28, 1]);
  const a = flat.classify(three.data, 28, 28).probabilities;
  const b = image.classify(three.data, 28, 28).probabilities;
  for (let d = 0; d < 10; d++) assert.ok(Math.abs(a[d] - b[d]) < 1e-6);
  flat.dispose();
  image.dispose();
});

test("models of another shape are refused with a one-line reason", () => {
  const fake = (inputShape: number[], outputShape: number[]): TfliteModel => ({
    inputShape,
    outputShape,
    run: () => new Float32Array(10),
    dispose() {},
  });
  assert.throws(() => new Classifier(fake([1, 3], [1, 10])), UserError);
  assert.throws(() => new Classifier(fake([1, 784], [1, 2])), /not ten scores/);
  assert.doesNotThrow(() => new Classifier(fake([1, 28, 28, 1], [1, 10])));
});

test("results: softmax for raw scores, the first digit on a tie", () => {
  const p = toProbabilities([0, 0, 0, Math.log(7), 0, 0, 0, 0, 0, 0]);
  assert.ok(Math.abs(p[3] - 7 / 16) < 1e-12);
  const already = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
  for (const [d, p] of toProbabilities(already).entries())
    assert.ok(Math.abs(p - already[d]) < 1e-12);
  // An int8 softmax's outputs come in steps of 1/256 and miss a sum of 1: still probabilities.
  const quantized = [0, 0, 1 / 256, 250 / 256, 0, 0, 0, 0, 0, 2 / 256];
  const read = toProbabilities(quantized);
  assert.ok(read[3] > 0.98, `int8 softmax output read as ${read[3]}`);
  assert.ok(Math.abs(read.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.equal(toResult(already, 1).digit, 0);
});

test("a model can be loaded from a URL (as the web app does)", async () => {
  const bytes = await centroidModelBytes();
  const server = createServer((request, response) => {
    if (request.url === "/model.tflite") response.end(bytes);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const classifier = await Classifier.load(`${base}/model.tflite`, nodeWasmRoot());
    assert.equal(classifier.classify(three.data, 28, 28).digit, 3);
    classifier.dispose();
    await assert.rejects(Classifier.load(`${base}/missing.tflite`, nodeWasmRoot()), /HTTP 404/);
  } finally {
    server.close();
  }
});
