import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { buildModel } from "../../src/model/architectures.ts";
import {
  loadCheckpoint,
  readTrainingInfo,
  saveCheckpoint,
  type TrainingInfo,
} from "../../src/model/checkpoint.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import { UserError } from "../../src/util/errors.ts";

const info: TrainingInfo = {
  architecture: "mlp",
  parameters: 669706,
  trainingCommand: "test",
  epochs: 0,
  secondsPerEpoch: 0,
  history: [],
};

test("a checkpoint round-trips: TF.js layers format, same weights, same predictions", async () => {
  await useWasmBackend();
  const dir = mkdtempSync(join(tmpdir(), "digitkit-ckpt-"));
  const model = buildModel("mlp", { seed: 3 });
  await saveCheckpoint(model, dir, info);
  assert.deepEqual(readdirSync(dir).sort(), ["model.json", "training.json", "weights.bin"]);
  const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
  assert.equal(json.format, "layers-model");
  assert.equal(json.weightsManifest[0].paths[0], "weights.bin");
  assert.equal(readFileSync(join(dir, "weights.bin")).length, 669706 * 4);
  const loaded = await loadCheckpoint(dir);
  const x = tf.randomUniform([4, 784], 0, 1, "float32", 5);
  assert.deepEqual(
    (loaded.predict(x) as tf.Tensor).dataSync(),
    (model.predict(x) as tf.Tensor).dataSync(),
  );
  assert.equal(readTrainingInfo(dir).parameters, 669706);
});

test("a failed save leaves no partial or temporary files, and the old checkpoint intact", async () => {
  await useWasmBackend();
  const dir = mkdtempSync(join(tmpdir(), "digitkit-atomic-"));
  await saveCheckpoint(buildModel("mlp", { seed: 1 }), dir, info);
  const before = readFileSync(join(dir, "weights.bin"));
  // model.json cannot be replaced (a directory is in its way): the save fails half way.
  const blocked = mkdtempSync(join(tmpdir(), "digitkit-atomic-"));
  mkdirSync(join(blocked, "model.json"));
  await assert.rejects(saveCheckpoint(buildModel("mlp", { seed: 2 }), blocked, info));
  assert.deepEqual(readdirSync(blocked).sort(), ["model.json", "weights.bin"]);
  assert.ok(!readdirSync(blocked).some((f) => f.endsWith(".tmp")));
  assert.deepEqual(readFileSync(join(dir, "weights.bin")), before);
});

test("loading a missing or damaged checkpoint is a one-line error", async () => {
  await useWasmBackend();
  const dir = mkdtempSync(join(tmpdir(), "digitkit-bad-"));
  await assert.rejects(
    loadCheckpoint(dir),
    (e: Error) => e instanceof UserError && /model.json: no such file/.test(e.message),
  );
  await saveCheckpoint(buildModel("mlp", { seed: 1 }), dir, info);
  writeFileSync(join(dir, "weights.bin"), new Uint8Array(100));
  await assert.rejects(
    loadCheckpoint(dir),
    (e: Error) => e instanceof UserError && /weights.bin: 100 bytes/.test(e.message),
  );
});
