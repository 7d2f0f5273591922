import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as tfl from "@tensorflow/tfjs-layers";
import { loadMnist } from "../../src/data/mnist.ts";
import { calibrationInputs } from "../../src/export/export.ts";
import { convertImported } from "../../src/import/convert.ts";
import type { ImportedModel } from "../../src/import/load.ts";
import { openModelFile } from "../../src/import/model-file.ts";
import { loadCheckpoint, saveModel } from "../../src/model/checkpoint.ts";
import { Classifier } from "../../src/recognize/classifier.ts";
import { describePlan, planFromFile } from "../../src/recognize/digit-model.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { readInputNormalization } from "../../src/tflite/metadata-normalization.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import { maxAbsDiff, runtimeOutputs, tfjsOutputs } from "../tflite/helpers.ts";
import { argmaxOf } from "./helpers.ts";

// A Keras model whose first layer is Rescaling(1/255) takes pixel bytes 0–255 (the Keras
// tutorials' recipe). The converted file keeps that contract — it computes what the Keras model
// computes on the same input, the Rescaling folded into the first convolution — and its metadata
// says so (mean 0, std 1), so DigitKit's feed plan gives it 0–255 and reads digits right.
// The model: DigitKit's trained CNN behind a Rescaling(1/255), saved as a TF.js model.json.
const dir = mkdtempSync(join(tmpdir(), "digitkit-rescaling-"));
let model: tfl.LayersModel;
let imported: ImportedModel;
let digits: { bytes: Float32Array; scaled: Float32Array; labels: Uint8Array; count: number };

before(async () => {
  await useWasmBackend();
  const cnn = await loadCheckpoint("models/checkpoints/mnist_cnn");
  // The CNN's own configuration with a Rescaling layer in front (it takes the input shape).
  const config = cnn.toJSON(null, false) as unknown as {
    config: { name: string; layers: { class_name: string; config: Record<string, unknown> }[] };
  };
  const first = config.config.layers[0].config;
  config.config.name = "bytes_cnn";
  config.config.layers.unshift({
    class_name: "Rescaling",
    config: {
      name: "rescaling",
      scale: 1 / 255,
      offset: 0,
      batch_input_shape: first.batch_input_shape,
      dtype: "float32",
    },
  });
  delete first.batch_input_shape;
  const wrapped = await tfl.models.modelFromJSON(config as never);
  wrapped.setWeights(cnn.getWeights());
  model = wrapped;
  await saveModel(model, dir);
  const file = await openModelFile(dir);
  if (file.kind !== "imported") throw new Error("not imported");
  imported = file.model;
  const { test } = await loadMnist();
  const count = 300;
  const raw = test.images.subarray(0, count * 784);
  digits = {
    bytes: Float32Array.from(raw),
    scaled: Float32Array.from(raw, (v) => v / 255),
    labels: test.labels.subarray(0, count),
    count,
  };
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("Rescaling(1/255) first: folded into the first conv, the file takes 0–255 like the Keras model and agrees with TF.js Layers within 1e-5", async () => {
  assert.equal(imported.inputMax, 255);
  const conversion = await convertImported(imported, "none", { wasmRoot: nodeWasmRoot() });
  assert.equal(conversion.inputMax, 255);
  const text = conversion.summary.join("\n");
  assert.match(text, /rescaling \(Rescaling\): folded into the weights of conv2d_1/);
  assert.match(text, /input: pixel bytes 0–255/);
  assert.deepEqual(readInputNormalization(conversion.bytes), { mean: [0], std: [1] });
  assert.match(
    describePlan(planFromFile(conversion.bytes)),
    /black to white 0–255 \(from its metadata\)/,
  );

  // The same pixel bytes into both: TF.js Layers with the Rescaling, LiteRT with it folded.
  const ours = await runtimeOutputs(conversion.bytes, digits.bytes, digits.count);
  const diff = maxAbsDiff(ours, tfjsOutputs(model, digits.bytes, digits.count));
  assert.ok(diff <= 1e-5, `largest difference ${diff}`);

  // DigitKit's own path (feed plan from the metadata) reads the digits right.
  const classifier = await Classifier.load(conversion.bytes, nodeWasmRoot());
  let correct = 0;
  try {
    for (let i = 0; i < digits.count; i++) {
      const result = classifier.classifyInput(digits.scaled.subarray(i * 784, (i + 1) * 784));
      if (result.digit === digits.labels[i]) correct++;
    }
  } finally {
    classifier.dispose();
  }
  assert.ok(correct / digits.count >= 0.97, `accuracy ${correct / digits.count}`);
  conversion.reference.dispose();
});

test("Rescaling(1/255) first, int8: calibrated on 0–255 inputs, same digit as TF.js Layers; with --io uint8 the bytes go in as they are", async () => {
  const { train } = await loadMnist();
  const expected = tfjsOutputs(model, digits.bytes, digits.count);
  for (const io of ["float32", "uint8"] as const) {
    const conversion = await convertImported(imported, "int8", {
      wasmRoot: nodeWasmRoot(),
      calibration: calibrationInputs(train, 300),
      io,
    });
    conversion.reference.dispose();
    const plan = planFromFile(conversion.bytes);
    assert.deepEqual(plan.ranges, [{ lo: 0, hi: 255 }]);
    if (io === "uint8") {
      // Input scale 1, zero point 0: the stored byte is the pixel byte.
      assert.deepEqual(plan.inputQuantization, { scale: 1, zeroPoint: 0 });
    }
    const got = await runtimeOutputs(conversion.bytes, digits.bytes, digits.count);
    let same = 0;
    for (let i = 0; i < digits.count; i++)
      if (argmaxOf(got, i * 10) === argmaxOf(expected, i * 10)) same++;
    assert.ok(same / digits.count >= 0.99, `${io}: same digit on ${same}/${digits.count}`);
  }
});
