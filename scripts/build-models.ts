// Exports the shipped .tflite models from the shipped checkpoints and writes each model card,
// with size and test accuracy measured through the official runtime (LiteRT).
// Usage: npm run build-models [-- NAME...]   (default: all five; NAME like mnist_mlp_int8)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { loadMnist } from "../src/data/mnist.ts";
import { readTrainingInfo } from "../src/model/checkpoint.ts";
import { evaluateTflite } from "../src/runtime/evaluate-tflite.ts";
import { METADATA_BUFFER_NAME, readModelMetadata } from "../src/tflite/metadata.ts";
import { readTflite } from "../src/tflite/reader.ts";
import { MIN_RUNTIME_VERSION } from "../src/tflite/versioning.ts";
import { readZipEntries } from "../src/tflite/zip.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import {
  RUNTIME_NAMES,
  type RuntimeId,
  runInArmnn,
  runInTfjsTflite,
} from "./lib/other-runtimes.ts";

interface Target {
  name: string;
  checkpoint: string;
  quantize: "none" | "float16" | "dynamic" | "int8";
}

const TARGETS: Target[] = [
  { name: "mnist_mlp", checkpoint: "models/checkpoints/mnist_mlp", quantize: "none" },
  { name: "mnist_mlp_float16", checkpoint: "models/checkpoints/mnist_mlp", quantize: "float16" },
  { name: "mnist_mlp_dynamic", checkpoint: "models/checkpoints/mnist_mlp", quantize: "dynamic" },
  { name: "mnist_mlp_int8", checkpoint: "models/checkpoints/mnist_mlp", quantize: "int8" },
  { name: "mnist_cnn", checkpoint: "models/checkpoints/mnist_cnn", quantize: "none" },
];

const QUANTIZATION_NOTES = {
  none: "float32 weights and activations",
  float16: "float16 weights, each dequantized to float32 at load (DEQUANTIZE); float32 activations",
  dynamic:
    "int8 weights, symmetric, one scale per weight tensor (FULLY_CONNECTED version 3, which every TFLite runtime since 1.14 reads the same way); float32 activations (quantized on the fly by the runtime)",
  int8: "int8 weights (one scale per layer) and int8 activations calibrated on 1000 training images; int32 biases; float32 input and output via QUANTIZE/DEQUANTIZE",
};

const wanted = process.argv.slice(2);
const targets = wanted.length ? TARGETS.filter((t) => wanted.includes(t.name)) : TARGETS;
if (targets.length === 0) {
  console.error(`unknown model name(s); choose from ${TARGETS.map((t) => t.name).join(", ")}`);
  process.exit(2);
}

const { test } = await loadMnist();
for (const target of targets) {
  const file = `models/${target.name}.tflite`;
  const cardPath = `models/${target.name}.json`;
  const args = ["export", target.checkpoint, "--out", file, "--quantize", target.quantize];
  console.log(`digitkit ${args.join(" ")}`);
  const run = spawnSync(process.execPath, ["bin/digitkit.js", ...args], { stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);

  const training = readTrainingInfo(target.checkpoint);
  const model = readTflite(new Uint8Array(readFileSync(file)));
  const sub = model.subgraphs[0];
  const evaluation = await evaluateTflite(file, test);
  console.log(
    `  ${file}: ${(evaluation.accuracy * 100).toFixed(2)}% on ${evaluation.n} test digits`,
  );

  // Which runtimes take the file (a few test digits; the tests check their agreement in full).
  const probe = Float32Array.from(test.images.subarray(0, 10 * 784), (v) => v / 255);
  const runtimes: RuntimeId[] = ["litert"];
  const refusedBy: Partial<Record<RuntimeId, string>> = {};
  for (const [id, run] of [
    ["tfjs-tflite", runInTfjsTflite],
    ["armnn", runInArmnn],
  ] as const) {
    const result = run(file, probe);
    if ("outputs" in result) runtimes.push(id);
    else refusedBy[id] = result.refused;
  }
  console.log(
    `  runs in ${runtimes.join(", ")}; refused by ${Object.keys(refusedBy).join(", ") || "none"}`,
  );
  const runtimeEntry = model.metadata.find((m) => m.name === MIN_RUNTIME_VERSION);
  const metadataEntry = model.metadata.find((m) => m.name === METADATA_BUFFER_NAME);
  const metadata = metadataEntry ? readModelMetadata(metadataEntry.data) : undefined;
  const bytes = new Uint8Array(readFileSync(file));

  // Keep fields others add to a card (real-handwriting figures under strokes/scans).
  const previous = existsSync(cardPath) ? JSON.parse(readFileSync(cardPath, "utf8")) : {};
  const card = {
    ...previous,
    name: target.name,
    file: `${target.name}.tflite`,
    architecture: training.architecture,
    parameters: training.parameters,
    quantization: target.quantize,
    quantizationDetails: QUANTIZATION_NOTES[target.quantize],
    trainingCommand: training.trainingCommand,
    exportCommand: `digitkit ${args.join(" ")}`,
    epochs: training.epochs,
    secondsPerEpoch: training.secondsPerEpoch,
    optimizer: training.optimizer,
    batchSize: training.batchSize,
    dropout: training.dropout,
    seed: training.seed,
    testAccuracy: evaluation.accuracy,
    testAccuracyMeasuredWith:
      "LiteRT.js (@litertjs/core, Wasm CPU/XNNPACK) on the 10,000 MNIST test digits",
    trainingTestAccuracy: training.testAccuracy ?? training.history.at(-1)?.valAcc,
    sizeBytes: statSync(file).size,
    input: {
      name: sub.tensors[sub.inputs[0]].name,
      shape: sub.tensors[sub.inputs[0]].shape,
      type: "float32",
    },
    output: {
      name: sub.tensors[sub.outputs[0]].name,
      shape: sub.tensors[sub.outputs[0]].shape,
      type: "float32",
    },
    operators: [...new Set(sub.operators.map((op) => op.name))],
    operatorVersions: Object.fromEntries(model.operatorCodes.map((c) => [c.name, c.version])),
    minRuntimeVersion: runtimeEntry
      ? new TextDecoder().decode(runtimeEntry.data).replace(/\0+$/, "")
      : undefined,
    metadata: metadata && {
      name: metadata.name,
      version: metadata.version,
      author: metadata.author,
      license: metadata.license,
      minParserVersion: metadata.minParserVersion,
      associatedFiles: readZipEntries(bytes).map((e) => e.name),
    },
    runtimes,
    runtimeNames: runtimes.map((id) => RUNTIME_NAMES[id]),
    refusedBy,
    checkpoint: target.checkpoint.replace(/^models\//, ""),
  };
  await writeFileAtomic(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  console.log(`  wrote ${cardPath}`);
}
