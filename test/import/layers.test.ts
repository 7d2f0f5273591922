import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { loadMnist } from "../../src/data/mnist.ts";
import { calibrationInputs } from "../../src/export/export.ts";
import { convertImported } from "../../src/import/convert.ts";
import { openModelFile } from "../../src/import/model-file.ts";
import { saveModel } from "../../src/model/checkpoint.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { readTflite } from "../../src/tflite/reader.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import { maxAbsDiff, runtimeOutputs, testDigits, tfjsOutputs } from "../tflite/helpers.ts";
import { argmaxOf } from "./helpers.ts";

// Every layer kind the importer takes, in one TF.js layers model saved as model.json + shards:
// imported, folded where the arithmetic allows, exported with the new ops (DEPTHWISE_CONV_2D,
// AVERAGE_POOL_2D, MEAN, LEAKY_RELU, MUL, ADD) and run in LiteRT against TF.js's own model.
const dir = mkdtempSync(join(tmpdir(), "digitkit-import-"));
let model: tfl.Sequential;

before(async () => {
  await useWasmBackend();
  const seed = (n: number) => tfl.initializers.glorotUniform({ seed: n });
  model = tfl.sequential({ name: "every_layer" });
  model.add(
    tfl.layers.rescaling({ inputShape: [28, 28, 1], scale: 2, offset: -1, name: "rescale" }),
  );
  model.add(
    tfl.layers.conv2d({
      name: "conv_same",
      filters: 8,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      activation: "relu",
      kernelInitializer: seed(1),
    }),
  );
  model.add(tfl.layers.batchNormalization({ name: "bn_kept" }));
  model.add(
    tfl.layers.depthwiseConv2d({
      name: "depthwise",
      kernelSize: 3,
      depthMultiplier: 2,
      padding: "same",
      depthwiseInitializer: seed(2),
    }),
  );
  model.add(tfl.layers.leakyReLU({ name: "leaky", alpha: 0.2 }));
  model.add(tfl.layers.averagePooling2d({ name: "avg", poolSize: 2 }));
  model.add(
    tfl.layers.conv2d({
      name: "conv_valid",
      filters: 16,
      kernelSize: 3,
      kernelInitializer: seed(3),
    }),
  );
  model.add(tfl.layers.batchNormalization({ name: "bn_folded" }));
  model.add(tfl.layers.reLU({ name: "relu" }));
  model.add(tfl.layers.dropout({ name: "drop", rate: 0.3 }));
  model.add(tfl.layers.globalAveragePooling2d({ name: "gap" }));
  model.add(tfl.layers.reshape({ name: "reshape", targetShape: [4, 4] }));
  model.add(tfl.layers.flatten({ name: "flat" }));
  // Large logits, so that the classes are far apart and int8 rounding cannot tie them.
  const logits = tfl.initializers.randomNormal({ stddev: 20, seed: 4 });
  model.add(tfl.layers.dense({ name: "logits", units: 10, kernelInitializer: logits }));
  model.add(tfl.layers.softmax({ name: "probs" }));
  // Batch statistics that are not the identity, so that folding them is tested.
  for (const name of ["bn_kept", "bn_folded"]) {
    const layer = model.getLayer(name);
    const n = layer.getWeights()[0].shape[0];
    const ramp = (a: number, b: number) =>
      tf.tensor(Array.from({ length: n }, (_, i) => a + (b * i) / n));
    layer.setWeights([ramp(0.5, 1.5), ramp(-0.2, 0.4), ramp(-0.1, 0.3), ramp(0.2, 2)]);
  }
  await saveModel(model, dir);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("a TF.js model.json with every supported layer converts and runs in LiteRT within 1e-5 of TF.js", async () => {
  const file = await openModelFile(dir);
  assert.equal(file.kind, "imported");
  if (file.kind !== "imported") return;
  const conversion = await convertImported(file.model, "none", { wasmRoot: nodeWasmRoot() });
  const ops = readTflite(conversion.bytes).subgraphs[0].operators.map((o) => o.name);
  assert.deepEqual(ops, [
    "MUL",
    "ADD", // Rescaling before a "same" convolution with an offset: kept
    "CONV_2D",
    "MUL",
    "ADD", // BatchNormalization after relu, before a "same" depthwise: kept
    "DEPTHWISE_CONV_2D",
    "LEAKY_RELU",
    "AVERAGE_POOL_2D",
    "CONV_2D", // BatchNormalization folded into it, ReLU fused
    "MEAN",
    "RESHAPE",
    "RESHAPE",
    "FULLY_CONNECTED",
    "SOFTMAX",
  ]);
  assert.equal(readTflite(conversion.bytes).subgraphs[0].operators[8].options.activation, "RELU");
  const text = conversion.summary.join("\n");
  assert.match(text, /bn_folded \(BatchNormalization\): folded into the weights of conv_valid/);
  assert.match(text, /bn_kept \(BatchNormalization\): kept as MUL and ADD ops/);
  assert.match(text, /drop \(Dropout\): dropped/);
  const { inputs, count } = await testDigits(300);
  const diff = maxAbsDiff(
    await runtimeOutputs(conversion.bytes, inputs, count),
    tfjsOutputs(model, inputs, count),
  );
  assert.ok(diff <= 1e-5, `largest difference ${diff}`);
  conversion.reference.dispose();
});

test("the same model in int8, float16 and dynamic range runs in LiteRT and stays within 0.02 of TF.js and mostly picks its class", async () => {
  const file = await openModelFile(dir);
  if (file.kind !== "imported") throw new Error("not imported");
  const { train } = await loadMnist();
  const { inputs, count } = await testDigits(300);
  const expected = tfjsOutputs(model, inputs, count);
  for (const mode of ["float16", "dynamic", "int8"] as const) {
    const conversion = await convertImported(file.model, mode, {
      wasmRoot: nodeWasmRoot(),
      calibration: mode === "int8" ? calibrationInputs(train, 300) : undefined,
    });
    const got = await runtimeOutputs(conversion.bytes, inputs, count);
    let same = 0;
    for (let i = 0; i < count; i++)
      if (argmaxOf(got, i * 10) === argmaxOf(expected, i * 10)) same++;
    console.log(
      `every-layer model ${mode}: same class on ${same}/${count}, largest difference ${maxAbsDiff(got, expected).toFixed(4)}`,
    );
    // A random network's classes are close together: int8 rounding flips the near ties.
    assert.ok(
      same / count >= (mode === "int8" ? 0.85 : 0.98),
      `${mode}: same class on ${same}/${count}`,
    );
    assert.ok(
      maxAbsDiff(got, expected) <= 0.02,
      `${mode}: largest difference ${maxAbsDiff(got, expected)}`,
    );
    conversion.reference.dispose();
  }
});
