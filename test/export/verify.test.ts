import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as tfl from "@tensorflow/tfjs-layers";
import { convertLayersModel } from "../../src/export/convert.ts";
import { checkExport } from "../../src/export/verify.ts";
import { float32Bytes } from "../../src/tflite/graph.ts";
import { readTflite } from "../../src/tflite/reader.ts";
import { serializeGraph } from "../../src/tflite/writer.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import { loadRuntime } from "../tflite/helpers.ts";
import { tinyGraph } from "../tflite/tiny-model.ts";

// Mistakes the official runtime accepts without a word, and the checks that catch them.
before(() => useWasmBackend());

function transposeInPlace(bytes: Uint8Array, rows: number, cols: number): Uint8Array {
  const values = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  );
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return float32Bytes(out);
}

test("FULLY_CONNECTED weights stored [inputs, units] (a transposed square 512×512) are caught", async () => {
  const model = tfl.sequential();
  model.add(
    tfl.layers.dense({ name: "square", inputShape: [512], units: 512, activation: "relu" }),
  );
  model.add(tfl.layers.dense({ name: "out", units: 10, activation: "softmax" }));
  const good = convertLayersModel(model);
  const bad = convertLayersModel(model);
  const kernel = bad.tensors.find((t) => t.name === "square/kernel")!;
  kernel.data = transposeInPlace(kernel.data!, 512, 512);

  const goodBytes = serializeGraph(good);
  const badBytes = serializeGraph(bad);
  assert.deepEqual(checkExport(readTflite(goodBytes), goodBytes, model), []);
  // The runtime loads and runs the wrong file happily…
  const runtime = await loadRuntime(badBytes);
  const out = runtime.run(new Float32Array(512).fill(0.5));
  runtime.dispose();
  assert.equal(out.length, 10);
  // …our check does not.
  const problems = checkExport(readTflite(badBytes), badBytes, model);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /square: FULLY_CONNECTED weights are not \[units, inputs\]/);
});

test("CONV_2D filters in TF.js's HWIO order under an OHWI-looking shape are caught", async () => {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ name: "conv", inputShape: [8, 8, 3], filters: 3, kernelSize: 3 }));
  model.add(tfl.layers.flatten({ name: "flat" }));
  const good = convertLayersModel(model);
  const bad = convertLayersModel(model);
  const filter = bad.tensors.find((t) => t.name === "conv/kernel")!;
  assert.deepEqual(filter.shape, [3, 3, 3, 3]);
  const hwio = model.layers[0].getWeights()[0].dataSync() as Float32Array;
  filter.data = float32Bytes(hwio); // same shape, wrong order
  const goodBytes = serializeGraph(good);
  const badBytes = serializeGraph(bad);
  assert.deepEqual(checkExport(readTflite(goodBytes), goodBytes, model), []);
  const runtime = await loadRuntime(badBytes);
  runtime.dispose();
  assert.deepEqual(checkExport(readTflite(badBytes), badBytes, model), [
    "conv: CONV_2D filter values are not in OHWI order",
  ]);
});

test("a non-empty buffer 0 is refused by our reader", () => {
  const bytes = serializeGraph(tinyGraph(), { bufferZeroData: new Uint8Array([1, 2, 3, 4]) });
  assert.throws(() => readTflite(bytes), /not a valid TFLite model: buffer 0 is not empty/);
});

test("operator codes need both builtin_code and deprecated_builtin_code", () => {
  const noNew = serializeGraph(tinyGraph(), { omitBuiltinCode: true });
  const problems = checkExport(readTflite(noNew), noNew);
  assert.deepEqual(problems, [
    "operator code 0 (FULLY_CONNECTED) lacks builtin_code",
    "operator code 1 (SOFTMAX) lacks builtin_code",
  ]);
  // Without the old field an old reader sees 0 (ADD) where the runtime sees FULLY_CONNECTED.
  const noOld = serializeGraph(tinyGraph(), { omitDeprecatedBuiltinCode: true });
  assert.throws(
    () => readTflite(noOld),
    /operator code 0: deprecated_builtin_code 0 disagrees with builtin_code 9/,
  );
  const good = serializeGraph(tinyGraph());
  assert.deepEqual(checkExport(readTflite(good), good), []);
});
