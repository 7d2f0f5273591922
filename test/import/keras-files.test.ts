import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { loadMnist } from "../../src/data/mnist.ts";
import { calibrationInputs } from "../../src/export/export.ts";
import { buildTfjsModel } from "../../src/import/build.ts";
import { convertImported } from "../../src/import/convert.ts";
import { Hdf5File } from "../../src/import/hdf5.ts";
import { importModelBytes } from "../../src/import/load.ts";
import { readTflite } from "../../src/tflite/reader.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import { maxAbsDiff, runtimeOutputs, testDigits, tfjsOutputs } from "../tflite/helpers.ts";
import { argmaxOf, runUint8Model, wildFile } from "./helpers.ts";

// Real Keras files from ../shared/models-in-the-wild, converted here and judged from outside:
// the .tflite runs in LiteRT (the official runtime), the Keras model in TF.js Layers, rebuilt from
// the file's own configuration and weights.
before(() => useWasmBackend());

const DIGITS = 300;

/**
 * TF.js's own reading of a Keras 2 model_config (tf.models.modelFromJSON, the deserializer
 * tf.loadLayersModel uses), with each layer's weights set from the .h5's weight_names.
 */
async function kerasReference(bytes: Uint8Array): Promise<tfl.LayersModel> {
  const h5 = Hdf5File.open(bytes);
  const model = await tfl.models.modelFromJSON(JSON.parse(h5.stringAttribute("", "model_config")!));
  for (const layer of model.layers) {
    const names = h5.stringListAttribute(`model_weights/${layer.name}`, "weight_names") ?? [];
    if (names.length === 0) continue;
    const shapes = layer.getWeights().map((w) => w.shape);
    layer.setWeights(
      names.map((n, i) =>
        tf.tensor(h5.readFloats(`model_weights/${layer.name}/${n}`, shapes[i]), shapes[i]),
      ),
    );
  }
  return model;
}

test("keras2-cnn-dropout.h5 (Keras 2.2.4 full model): float conversion follows TF.js Layers within 1e-5 in LiteRT", async () => {
  const bytes = wildFile("keras2-cnn-dropout.h5");
  const imported = importModelBytes(bytes);
  assert.deepEqual(
    imported.layers.map((l) => l.className),
    ["Conv2D", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dropout", "Dense"],
  );
  const reference = await kerasReference(bytes);
  const conversion = await convertImported(imported, "none");
  const ops = readTflite(conversion.bytes).subgraphs[0].operators.map((o) => o.name);
  assert.deepEqual(ops, [
    "CONV_2D",
    "CONV_2D",
    "MAX_POOL_2D",
    "RESHAPE",
    "FULLY_CONNECTED",
    "FULLY_CONNECTED",
    "SOFTMAX",
  ]);
  assert.ok(conversion.summary.some((l) => /dropout \(Dropout\): dropped/.test(l)));
  const { inputs, count } = await testDigits(DIGITS);
  const diff = maxAbsDiff(
    await runtimeOutputs(conversion.bytes, inputs, count),
    tfjsOutputs(reference, inputs, count),
  );
  assert.ok(diff <= 1e-5, `largest difference ${diff}`);
});

test("keras2-cnn-dropout.h5: our float and int8 conversions give TF's own int8 file's digit on ≥ 99.5% of the MNIST test set", async () => {
  const { test: digits, train } = await loadMnist();
  const n = digits.count;
  const theirs = await runUint8Model(
    wildFile("keras2-cnn-dropout.int8-uint8io.tflite"),
    digits.images,
    n,
  );
  const imported = importModelBytes(wildFile("keras2-cnn-dropout.h5"));
  const inputs = Float32Array.from(digits.images, (v) => v / 255);
  for (const mode of ["none", "int8"] as const) {
    const conversion = await convertImported(imported, mode, {
      calibration: mode === "int8" ? calibrationInputs(train, 1000) : undefined,
    });
    const ours = await runtimeOutputs(conversion.bytes, inputs, n);
    let same = 0;
    for (let i = 0; i < n; i++) if (argmaxOf(ours, i * 10) === argmaxOf(theirs[i])) same++;
    console.log(`keras2-cnn-dropout ${mode}: same digit as TF's int8 file on ${same}/${n}`);
    assert.ok(same / n >= 0.995, `${mode}: same digit on ${same} of ${n}`);
    conversion.reference.dispose();
  }
});

test("keras3-cnn-batchnorm.keras (Keras 3.13): BatchNormalization folded, LiteRT follows TF.js Layers (BN as Keras computes it) within 1e-5", async () => {
  const imported = importModelBytes(wildFile("keras3-cnn-batchnorm.keras"));
  assert.equal(imported.layers.filter((l) => l.className === "BatchNormalization").length, 4);
  const conversion = await convertImported(imported, "none");
  const ops = readTflite(conversion.bytes).subgraphs[0].operators.map((o) => o.name);
  assert.ok(!ops.includes("MUL") && !ops.includes("ADD"), `every BatchNormalization folds: ${ops}`);
  assert.equal(
    conversion.summary.filter((l) => /BatchNormalization\): folded into/.test(l)).length,
    4,
  );
  const { inputs, count, labels } = await testDigits(DIGITS);
  const ours = await runtimeOutputs(conversion.bytes, inputs, count);
  const diff = maxAbsDiff(ours, tfjsOutputs(conversion.reference, inputs, count));
  assert.ok(diff <= 1e-5, `largest difference ${diff}`);
  let correct = 0;
  for (let i = 0; i < count; i++) if (argmaxOf(ours, i * 10) === labels[i]) correct++;
  assert.ok(correct / count > 0.97, `accuracy ${correct / count}`);
  conversion.reference.dispose();
});

test("keras2-mnist_mlp-weights-only.h5 loads into --arch mlp (the tutorial's network) and converts within 1e-5", async () => {
  const bytes = wildFile("keras2-mnist_mlp-weights-only.h5");
  assert.throws(() => importModelBytes(bytes), /weights only .*--arch/);
  assert.throws(() => importModelBytes(bytes, { arch: "cnn" }), /do not fit the architecture/);
  const imported = importModelBytes(bytes, { arch: "mlp" });
  const conversion = await convertImported(imported, "none");
  const reference = buildTfjsModel(imported.layers, imported.inputShape);
  const { inputs, count, labels } = await testDigits(DIGITS);
  const ours = await runtimeOutputs(conversion.bytes, inputs, count);
  assert.ok(maxAbsDiff(ours, tfjsOutputs(reference, inputs, count)) <= 1e-5);
  let correct = 0;
  for (let i = 0; i < count; i++) if (argmaxOf(ours, i * 10) === labels[i]) correct++;
  assert.ok(correct / count > 0.95, `accuracy ${correct / count}`);
  conversion.reference.dispose();
});
