import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  type RunResult,
  type RuntimeId,
  runInArmnn,
  runInTfjsTflite,
} from "../../scripts/lib/other-runtimes.ts";
import { exportModel, greyToRgb } from "../../src/export/export.ts";
import { buildModel } from "../../src/model/architectures.ts";
import { loadCheckpoint } from "../../src/model/checkpoint.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import {
  agreement,
  loadRuntime,
  maxAbsDiff,
  runtimeOutputs,
  testDigits,
} from "../tflite/helpers.ts";

// Every shipped model in three TFLite runtimes with kernels of their own: LiteRT.js (the
// reference here), @tensorflow/tfjs-tflite (TFLite of 2021) and Arm NN 20.08 (its own parser and
// reference kernels). Float models give the same outputs within 1e-5; quantized ones the same
// digit on ≥ 99.5%; a runtime the card does not list must refuse the file, never answer.
// Arm NN's CpuRef kernels are slow (20 ms an MLP digit, 150 ms a CNN digit on this machine), so it
// sees fewer digits than tfjs-tflite, which sees the whole test set for quantized models.

const MODELS = "models";
interface Card {
  name: string;
  file: string;
  quantization: string;
  runtimes: RuntimeId[];
}
const cards: Card[] = readdirSync(MODELS)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(MODELS, f), "utf8")));

const RUNNERS: [RuntimeId, (model: string, inputs: Float32Array) => RunResult][] = [
  ["tfjs-tflite", runInTfjsTflite],
  ["armnn", runInArmnn],
];

function digitsFor(card: Card, runtime: RuntimeId): number {
  const quantized = card.quantization === "dynamic" || card.quantization === "int8";
  if (runtime === "tfjs-tflite") return quantized ? 10_000 : 500;
  if (card.name.includes("cnn")) return 40;
  return quantized ? 1000 : 100;
}

test("the cards list all three runtimes for the float32, int8 and CNN models", () => {
  const byName = Object.fromEntries(cards.map((c) => [c.name, c.runtimes]));
  for (const name of ["mnist_mlp", "mnist_mlp_int8", "mnist_cnn"]) {
    assert.deepEqual(byName[name], ["litert", "tfjs-tflite", "armnn"], name);
  }
  assert.equal(cards.length, 5);
});

for (const card of cards) {
  test(`${card.name}: the runtimes its card lists agree with LiteRT.js; the others refuse it`, async (t) => {
    const path = join(MODELS, card.file);
    const bytes = new Uint8Array(readFileSync(path));
    const quantized = card.quantization === "dynamic" || card.quantization === "int8";
    for (const [runtime, run] of RUNNERS) {
      const digits = await testDigits(digitsFor(card, runtime));
      const result = run(path, digits.inputs);
      if (!card.runtimes.includes(runtime)) {
        assert.ok(
          "refused" in result,
          `${runtime} answered for ${card.name}, which it should refuse`,
        );
        t.diagnostic(`${runtime}: refused (${result.refused})`);
        continue;
      }
      assert.ok("outputs" in result, `${runtime}: ${"refused" in result ? result.refused : ""}`);
      assert.equal(result.outputs.length, digits.count * 10);
      const reference = await runtimeOutputs(bytes, digits.inputs, digits.count);
      if (quantized) {
        const { same } = agreement(result.outputs, reference, digits.labels);
        t.diagnostic(
          `${runtime}: same digit as LiteRT.js on ${(same * 100).toFixed(2)}% of ${digits.count}`,
        );
        assert.ok(same >= 0.995, `${runtime}: same digit on ${same} of ${digits.count}`);
      } else {
        const diff = maxAbsDiff(result.outputs, reference);
        t.diagnostic(`${runtime}: largest difference from LiteRT.js ${diff} on ${digits.count}`);
        assert.ok(diff <= 1e-5, `${runtime}: outputs differ by ${diff}`);
      }
    }
  });
}

test("per-channel hybrid weights (FULLY_CONNECTED version 12) are refused by the 2021 runtime, not misread", async () => {
  await useWasmBackend();
  const model = buildModel("mlp", { seed: 5 });
  const { bytes } = await exportModel(model, "dynamic", {
    wasmRoot: nodeWasmRoot(),
    quantize: { perChannelHybrid: true },
  });
  const dir = mkdtempSync(join(tmpdir(), "digitkit-v12-"));
  try {
    const path = join(dir, "per-channel.tflite");
    writeFileSync(path, bytes);
    const digits = await testDigits(5);
    const old = runInTfjsTflite(path, digits.inputs);
    assert.ok("refused" in old, "tfjs-tflite ran a per-channel hybrid model");
    assert.match(old.refused, /FULLY_CONNECTED|version|op/i);
    assert.ok("refused" in runInArmnn(path, digits.inputs), "Arm NN ran a hybrid model");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the image-classifier target runs alike in all three runtimes", async () => {
  await useWasmBackend();
  const checkpoint = await loadCheckpoint("models/checkpoints/mnist_cnn");
  const { bytes } = await exportModel(checkpoint, "none", {
    wasmRoot: nodeWasmRoot(),
    target: "image-classifier",
  });
  const digits = await testDigits(40);
  const rgb = greyToRgb(digits.inputs);
  const litert = await loadRuntime(bytes);
  const reference = new Float32Array(digits.count * 10);
  try {
    for (let i = 0; i < digits.count; i++) {
      reference.set(litert.run(rgb.subarray(i * 2352, (i + 1) * 2352)), i * 10);
    }
  } finally {
    litert.dispose();
  }
  const dir = mkdtempSync(join(tmpdir(), "digitkit-rgb-"));
  try {
    const path = join(dir, "digits-rgb.tflite");
    writeFileSync(path, bytes);
    for (const [runtime, run] of RUNNERS) {
      const result = run(path, rgb);
      assert.ok("outputs" in result, `${runtime}: ${"refused" in result ? result.refused : ""}`);
      const diff = maxAbsDiff(result.outputs, reference);
      assert.ok(diff <= 1e-5, `${runtime}: outputs differ by ${diff}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
