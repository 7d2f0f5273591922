import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { checkExport, checkMetadata } from "../../src/export/verify.ts";
import { loadCheckpoint } from "../../src/model/checkpoint.ts";
import { readTflite } from "../../src/tflite/reader.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import {
  agreement,
  maxAbsDiff,
  runtimeOutputs,
  testDigits,
  tfjsOutputs,
} from "../tflite/helpers.ts";

// The exported models in models/, judged by the official runtime against their cards and
// against the TF.js checkpoints they came from.
const MODELS = "models";
const cards = readdirSync(MODELS)
  .filter((name) => name.endsWith(".json"))
  .map((name) => JSON.parse(readFileSync(join(MODELS, name), "utf8")))
  .filter((card) => typeof card.file === "string" && card.file.endsWith(".tflite"));

const checkpoints = new Map<string, LayersModel>();
async function checkpointOf(card: { checkpoint: string }): Promise<LayersModel> {
  let model = checkpoints.get(card.checkpoint);
  if (!model) {
    model = await loadCheckpoint(join(MODELS, card.checkpoint));
    checkpoints.set(card.checkpoint, model);
  }
  return model;
}

before(() => useWasmBackend());

test("the tutorial network and its variants ship, each with a card", () => {
  const names = cards.map((c) => c.name);
  for (const name of ["mnist_mlp", "mnist_mlp_float16", "mnist_mlp_dynamic", "mnist_mlp_int8"]) {
    assert.ok(names.includes(name), `${name} missing`);
  }
  for (const card of cards) {
    const path = join(MODELS, card.file);
    assert.ok(existsSync(path), path);
    assert.equal(card.sizeBytes, statSync(path).size, `${card.name}: sizeBytes`);
    for (const field of [
      "name",
      "architecture",
      "parameters",
      "quantization",
      "trainingCommand",
      "epochs",
      "secondsPerEpoch",
      "testAccuracy",
    ]) {
      assert.ok(card[field] !== undefined, `${card.name}: ${field}`);
    }
    assert.ok(existsSync(join(MODELS, card.checkpoint, "model.json")), `${card.name}: checkpoint`);
  }
  const float = cards.find((c) => c.name === "mnist_mlp");
  for (const card of cards.filter((c) => c.name.startsWith("mnist_mlp_"))) {
    if (card.quantization === "float16") assert.ok(card.sizeBytes < float.sizeBytes * 0.51);
    else assert.ok(card.sizeBytes <= 700_000, `${card.name}: ${card.sizeBytes} bytes`);
  }
});

test("every shipped file passes the structural checks against its checkpoint", async () => {
  for (const card of cards) {
    const bytes = new Uint8Array(readFileSync(join(MODELS, card.file)));
    const file = readTflite(bytes);
    const problems = checkExport(file, bytes, await checkpointOf(card));
    assert.deepEqual(problems, [], card.name);
    assert.deepEqual(checkMetadata(file, bytes), [], card.name);
  }
});

test("the whole test set through the runtime gives each card's accuracy; quantized agree with float", async () => {
  const digits = await testDigits(10_000);
  const reference = new Map<string, Float32Array>();
  for (const card of cards) {
    const model = await checkpointOf(card);
    if (!reference.has(card.checkpoint)) {
      reference.set(card.checkpoint, tfjsOutputs(model, digits.inputs, digits.count));
    }
    const theirs = reference.get(card.checkpoint)!;
    const ours = await runtimeOutputs(
      new Uint8Array(readFileSync(join(MODELS, card.file))),
      digits.inputs,
      digits.count,
    );
    const { same, accuracyA, accuracyB } = agreement(ours, theirs, digits.labels);
    assert.equal(accuracyA, card.testAccuracy, `${card.name}: card says ${card.testAccuracy}`);
    if (card.quantization === "none") {
      const diff = maxAbsDiff(ours.subarray(0, 3000), theirs.subarray(0, 3000));
      assert.ok(diff <= 1e-5, `${card.name}: differs from TF.js by ${diff}`);
    } else {
      assert.ok(same >= 0.995, `${card.name}: same digit on ${same * 100}%`);
      assert.ok(accuracyA >= accuracyB - 0.002, `${card.name}: ${accuracyA} vs float ${accuracyB}`);
    }
  }
});
