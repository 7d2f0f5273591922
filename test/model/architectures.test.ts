import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { buildModel } from "../../src/model/architectures.ts";
import { modelSummary } from "../../src/model/summary.ts";
import { denseLayout, fromDenseOrder, toDenseOrder } from "../../src/train/engines/dense-layout.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";

test("the tutorial MLP: 784 → 512 → 512 → 10, 669,706 parameters", async () => {
  await useWasmBackend();
  const model = buildModel("mlp", { seed: 1 });
  assert.equal(model.countParams(), 669706);
  assert.deepEqual(model.inputs[0].shape, [null, 784]);
  assert.deepEqual(
    model.layers.map((l) => [l.getClassName(), l.outputShape, l.countParams()]),
    [
      ["Dense", [null, 512], 784 * 512 + 512],
      ["Dense", [null, 512], 512 * 512 + 512],
      ["Dense", [null, 10], 512 * 10 + 10],
    ],
  );
  const activations = model.layers.map((l) => l.getConfig().activation);
  assert.deepEqual(activations, ["relu", "relu", "softmax"]);
  const out = model.predict(tf.zeros([2, 784])) as tf.Tensor;
  assert.deepEqual(out.shape, [2, 10]);
  const sums = (tf.sum(out, 1).dataSync() as Float32Array).map((v) => Math.round(v * 1e5) / 1e5);
  assert.deepEqual([...sums], [1, 1]);
});

test("--dropout adds the Keras example's two Dropout layers and no parameters", () => {
  const model = buildModel("mlp", { dropout: 0.2 });
  assert.deepEqual(
    model.layers.map((l) => l.getClassName()),
    ["Dense", "Dropout", "Dense", "Dropout", "Dense"],
  );
  assert.equal(model.countParams(), 669706);
});

test("the CNN takes 28×28×1 images and outputs 10 probabilities", () => {
  const model = buildModel("cnn", { seed: 1 });
  assert.deepEqual(model.inputs[0].shape, [null, 28, 28, 1]);
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  assert.equal(model.countParams(), 320 + 18496 + 1600 * 128 + 128 + 1290);
});

test("the same seed gives the same initial weights; another seed does not", () => {
  const weights = (seed: number) =>
    buildModel("mlp", { seed }).getWeights()[0].dataSync() as Float32Array;
  const [a, b, c] = [weights(7), weights(7), weights(8)];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("the summary lists every layer, its output shape and the totals as Keras does", () => {
  const text = modelSummary(buildModel("mlp", { seed: 1 }));
  assert.match(text, /dense_1 \(Dense\)\s+\(None, 512\)\s+401,920/);
  assert.match(text, /dense_3 \(Dense\)\s+\(None, 10\)\s+5,130/);
  assert.match(text, /Total params: 669,706/);
  assert.match(text, /Trainable params: 669,706/);
});

test("the Dense engine's parameter order converts to the model's and back", () => {
  const layout = denseLayout([5, 4, 3]);
  assert.equal(layout.paramCount, 5 * 4 + 4 + 4 * 3 + 3);
  const model = Float32Array.from({ length: layout.paramCount }, (_, i) => i);
  const engine = toDenseOrder(model, layout);
  // W (5×4) row 0 column 1 becomes Wᵀ row 1 column 0.
  assert.equal(engine[1 * 5 + 0], model[0 * 4 + 1]);
  assert.deepEqual(fromDenseOrder(engine, layout), model);
});
