import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { runInArmnn, runInTfjsTflite } from "../../scripts/lib/other-runtimes.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { calibrationInputs } from "../../src/export/export.ts";
import { buildTfjsModel } from "../../src/import/build.ts";
import { convertImported } from "../../src/import/convert.ts";
import { Hdf5File } from "../../src/import/hdf5.ts";
import { importModelBytes } from "../../src/import/load.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
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
  const conversion = await convertImported(imported, "none", { wasmRoot: nodeWasmRoot() });
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
      wasmRoot: nodeWasmRoot(),
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
  const conversion = await convertImported(imported, "none", { wasmRoot: nodeWasmRoot() });
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
  const conversion = await convertImported(imported, "none", { wasmRoot: nodeWasmRoot() });
  const reference = buildTfjsModel(imported.layers, imported.inputShape);
  const { inputs, count, labels } = await testDigits(DIGITS);
  const ours = await runtimeOutputs(conversion.bytes, inputs, count);
  assert.ok(maxAbsDiff(ours, tfjsOutputs(reference, inputs, count)) <= 1e-5);
  let correct = 0;
  for (let i = 0; i < count; i++) if (argmaxOf(ours, i * 10) === labels[i]) correct++;
  assert.ok(correct / count > 0.95, `accuracy ${correct / count}`);
  conversion.reference.dispose();
});

test("keras2-cnn-dropout.h5 --quantize int8 --io uint8: TF's layout (uint8 tensors, QUANTIZE at both edges), pixel bytes in, TF's digit on ≥ 99.5%, runs in tfjs-tflite and Arm NN", async () => {
  const SUBSET = 2000;
  const { test: digits, train } = await loadMnist();
  const images = digits.images.subarray(0, SUBSET * 784);
  const theirs = await runUint8Model(
    wildFile("keras2-cnn-dropout.int8-uint8io.tflite"),
    images,
    SUBSET,
  );
  const imported = importModelBytes(wildFile("keras2-cnn-dropout.h5"));
  const conversion = await convertImported(imported, "int8", {
    wasmRoot: nodeWasmRoot(),
    calibration: calibrationInputs(train, 1000),
    io: "uint8",
  });
  conversion.reference.dispose();
  const graph = readTflite(conversion.bytes).subgraphs[0];
  const input = graph.tensors[graph.inputs[0]];
  const output = graph.tensors[graph.outputs[0]];
  assert.deepEqual([input.typeName, output.typeName], ["UINT8", "UINT8"]);
  // The same quantization TF's converter chose: bytes / 255 in, probabilities · 256 out.
  assert.deepEqual(input.quantization?.zeroPoint, [0]);
  assert.ok(Math.abs(input.quantization!.scale[0] - 1 / 255) < 1e-9);
  assert.deepEqual(output.quantization?.zeroPoint, [0]);
  assert.equal(output.quantization?.scale[0], 1 / 256);
  const names = graph.operators.map((o) => o.name);
  assert.equal(names[0], "QUANTIZE");
  assert.equal(names[names.length - 1], "QUANTIZE");
  assert.ok(!names.includes("DEQUANTIZE"));

  // Judged as TF's file is: the pixel bytes fed as they are, the output bytes read back.
  const ours = await runUint8Model(conversion.bytes, images, SUBSET);
  let same = 0;
  for (let i = 0; i < SUBSET; i++) if (argmaxOf(ours[i]) === argmaxOf(theirs[i])) same++;
  console.log(
    `keras2-cnn-dropout int8 uint8 I/O: same digit as TF's int8 file on ${same}/${SUBSET}`,
  );
  assert.ok(same / SUBSET >= 0.995, `same digit on ${same} of ${SUBSET}`);

  // The other runtimes take the raw bytes too (and give raw bytes back).
  const dir = mkdtempSync(join(tmpdir(), "digitkit-uint8io-"));
  try {
    const path = join(dir, "cnn-uint8io.tflite");
    writeFileSync(path, conversion.bytes);
    const few = 40;
    const bytesIn = Float32Array.from(images.subarray(0, few * 784));
    for (const [name, run] of [
      ["tfjs-tflite", runInTfjsTflite],
      ["armnn", runInArmnn],
    ] as const) {
      const result = run(path, bytesIn);
      assert.ok("outputs" in result, `${name}: ${"refused" in result ? result.refused : ""}`);
      let agree = 0;
      for (let i = 0; i < few; i++)
        if (argmaxOf(result.outputs, i * 10) === argmaxOf(ours[i])) agree++;
      assert.ok(agree / few >= 0.975, `${name}: same digit as LiteRT on ${agree} of ${few}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
