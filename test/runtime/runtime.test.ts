import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { loadTfliteModel } from "../../src/runtime/tflite-runtime.ts";
import { tinyModelBytes, tinyReference } from "../tflite/tiny-model.ts";

test("LiteRT runs a hand-built model in Node and matches the arithmetic", async () => {
  const model = await loadTfliteModel(tinyModelBytes(), nodeWasmRoot());
  try {
    assert.deepEqual(model.inputShape, [1, 3]);
    assert.deepEqual(model.outputShape, [1, 2]);
    for (const x of [
      [1, 1, 1],
      [0, 0, 0],
      [-2, 0.5, 0.25],
      [0, 4, -1],
    ]) {
      const out = Array.from(model.run(new Float32Array(x)));
      const expected = tinyReference(x);
      for (let i = 0; i < 2; i++) assert.ok(Math.abs(out[i] - expected[i]) < 1e-6, `${x}: ${out}`);
    }
    assert.throws(() => model.run(new Float32Array(4)), /expected 3 input values/);
  } finally {
    model.dispose();
  }
  assert.throws(() => model.run(new Float32Array(3)), /disposed/);
});

test("two models loaded side by side keep their own buffers", async () => {
  const a = await loadTfliteModel(tinyModelBytes(), nodeWasmRoot());
  const b = await loadTfliteModel(tinyModelBytes(), nodeWasmRoot());
  const outA = Array.from(a.run(new Float32Array([1, 1, 1])));
  const outB = Array.from(b.run(new Float32Array([0, 4, -1])));
  assert.deepEqual(Array.from(a.run(new Float32Array([1, 1, 1]))), outA);
  assert.notDeepEqual(outA, outB);
  a.dispose();
  b.dispose();
});
