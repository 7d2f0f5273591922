import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModel } from "../../src/model/architectures.ts";
import { averageIntoLast } from "../../src/model/average.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";

test("averageIntoLast sets the last model's weights to the mean of all", async () => {
  await useWasmBackend();
  const models = [1, 2, 3].map((seed) => buildModel("cnn", { seed }));
  const before = models.map((m) => m.getWeights().map((w) => w.dataSync().slice()));
  assert.equal(averageIntoLast(models), -1);
  const after = models[2].getWeights().map((w) => w.dataSync());
  for (const [k, weights] of after.entries()) {
    for (const i of [0, 7, weights.length - 1]) {
      const mean = (before[0][k][i] + before[1][k][i] + before[2][k][i]) / 3;
      assert.ok(Math.abs(weights[i] - mean) < 1e-6, `weight ${k}[${i}]`);
    }
  }
  // The others are left as they were.
  assert.deepEqual(models[0].getWeights()[0].dataSync(), before[0][0]);
});

test("averageIntoLast refuses different networks and changes nothing", async () => {
  await useWasmBackend();
  const cnn = buildModel("cnn", { seed: 1 });
  const mlp = buildModel("mlp", { seed: 1 });
  const before = mlp.getWeights()[0].dataSync().slice();
  assert.equal(averageIntoLast([cnn, cnn, mlp]), 2);
  assert.deepEqual(mlp.getWeights()[0].dataSync(), before);
});
