import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildModel } from "../../src/model/architectures.ts";
import { saveCheckpoint } from "../../src/model/checkpoint.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";

function digitkit(...args: string[]) {
  return spawnSync(process.execPath, ["bin/digitkit.js", ...args], { encoding: "utf8" });
}

const dir = mkdtempSync(join(tmpdir(), "digitkit-export-"));
const checkpoint = join(dir, "ckpt");

before(async () => {
  await useWasmBackend();
  const model = buildModel("mlp", { seed: 21, dropout: 0.2 });
  await saveCheckpoint(model, checkpoint, {
    architecture: "mlp",
    parameters: model.countParams(),
    trainingCommand: "test",
    epochs: 0,
    secondsPerEpoch: 0,
    history: [],
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("digitkit export writes a .tflite that digitkit info describes", () => {
  const out = join(dir, "out", "model.tflite");
  const run = digitkit("export", checkpoint, "--out", out);
  assert.equal(run.status, 0, run.stderr);
  assert.match(
    run.stdout,
    /^wrote .*model\.tflite: \d+ bytes, none, ops FULLY_CONNECTED, SOFTMAX$/m,
  );
  assert.deepEqual(readdirSync(join(dir, "out")), ["model.tflite"], "no temp files left");

  const info = digitkit("info", out, "--json");
  assert.equal(info.status, 0, info.stderr);
  const d = JSON.parse(info.stdout);
  assert.equal(d.version, 3);
  assert.equal(d.sizeBytes, readFileSync(out).length);
  assert.deepEqual(d.opCounts, { FULLY_CONNECTED: 3, SOFTMAX: 1 });
  assert.deepEqual(
    d.inputs.map((t: { shape: number[] }) => t.shape),
    [[1, 784]],
  );
  assert.deepEqual(
    d.outputs.map((t: { type: string }) => t.type),
    ["float32"],
  );
  assert.deepEqual(d.operators[0].options, { activation: "RELU" });

  const text = digitkit("info", out);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /TFLite schema version 3/);
  assert.match(text.stdout, /operators \(4\): FULLY_CONNECTED ×3, SOFTMAX/);
  assert.match(text.stdout, /dense_1\/kernel\s+float32\s+\[512,784\]/);
  assert.match(
    text.stdout,
    /min_runtime_version: 1\.5\.0; operator versions: as TFLite's rules give them/,
  );
  assert.match(text.stdout, /^metadata: DigitKit ckpt, version 1$/m);
  assert.match(
    text.stdout,
    /input: image, image GRAYSCALE 28×28, normalization mean \[0\] std \[255\], range \[0\]…\[1\]/,
  );
  assert.match(text.stdout, /output: probability, .*file labels\.txt \(TENSOR_AXIS_LABELS\)/);
  assert.match(text.stdout, /associated file: labels\.txt \(20 bytes, 10 lines: 0 1 2 3 4 …\)/);
  assert.equal(d.minRuntimeVersion, "1.5.0");
  assert.deepEqual(d.metadataEntries, ["min_runtime_version", "TFLITE_METADATA"]);
  assert.equal(d.metadata.license, "MIT");
});

test("digitkit export --target image-classifier takes RGB [1,28,28,3] and says so in its metadata", () => {
  const out = join(dir, "rgb.tflite");
  const run = digitkit("export", checkpoint, "--out", out, "--target", "image-classifier");
  assert.equal(run.status, 0, run.stderr);
  const d = JSON.parse(digitkit("info", out, "--json").stdout);
  assert.deepEqual(d.inputs[0].shape, [1, 28, 28, 3]);
  assert.deepEqual(Object.keys(d.opCounts), ["RESHAPE", "FULLY_CONNECTED", "SOFTMAX"]);
  assert.equal(d.metadata.inputs[0].content.colorSpace, "RGB");
  assert.deepEqual(d.metadata.inputs[0].normalization, { mean: [0], std: [255] });
});

test("digitkit info shows the metadata and associated files of Google's own test model", () => {
  const path = "../shared/models-in-the-wild/tflite-support-mobilenet-quant-with-metadata.tflite";
  const run = digitkit("info", path);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^metadata: MobileNetV1 image classifier \(quantized\), version v1$/m);
  assert.match(run.stdout, /author: TensorFlow/);
  assert.match(run.stdout, /input: image, image RGB, normalization mean \[127\.5\] std \[127\.5\]/);
  assert.match(
    run.stdout,
    /output: probability, feature, .*file labels\.txt \(TENSOR_AXIS_LABELS\)/,
  );
  assert.match(
    run.stdout,
    /associated file: labels\.txt \(10484 bytes, 1001 lines: background tench goldfish/,
  );
  const d = JSON.parse(digitkit("info", path, "--json").stdout);
  assert.equal(d.associatedFiles[0].lines, 1001);
});

test("digitkit export --quantize int8 calibrates and keeps float32 input and output", () => {
  const out = join(dir, "int8.tflite");
  const run = digitkit(
    "export",
    checkpoint,
    "--out",
    out,
    "--quantize",
    "int8",
    "--calibration",
    "50",
  );
  assert.equal(run.status, 0, run.stderr);
  const d = JSON.parse(digitkit("info", out, "--json").stdout);
  assert.deepEqual(Object.keys(d.opCounts), [
    "QUANTIZE",
    "FULLY_CONNECTED",
    "SOFTMAX",
    "DEQUANTIZE",
  ]);
  assert.equal(d.inputs[0].type, "float32");
  assert.equal(d.tensors.find((t: { name: string }) => t.name === "dense_2/kernel").type, "int8");
});

test("export and info errors are one line with the right exit status", () => {
  const cases: [string[], number, RegExp][] = [
    [["export", checkpoint], 2, /--out FILE\.tflite is required/],
    [
      ["export", checkpoint, "--out", join(dir, "x.tflite"), "--quantize", "int4"],
      2,
      /--quantize must be one of none, float16, dynamic, int8/,
    ],
    [
      ["export", join(dir, "nowhere"), "--out", join(dir, "x.tflite")],
      1,
      /not a checkpoint folder/,
    ],
    [["export", checkpoint, "--out", join(dir, "x.tflite"), "--bogus"], 2, /bogus/],
    [
      ["export", checkpoint, "--out", join(dir, "x.tflite"), "--target", "phone"],
      2,
      /--target must be one of digit, image-classifier/,
    ],
    [["info"], 2, /give one FILE\.tflite/],
    [["info", join(dir, "missing.tflite")], 1, /missing\.tflite: no such file/],
  ];
  const truncated = join(dir, "truncated.tflite");
  const bytes = readFileSync("models/mnist_mlp.tflite");
  writeFileSync(truncated, bytes.subarray(0, 5000));
  cases.push([
    ["info", truncated],
    1,
    /truncated\.tflite: not a valid TFLite model: .*past the end of the file/,
  ]);
  const notModel = join(dir, "readme.tflite");
  writeFileSync(notModel, "# not a model at all\n");
  cases.push([["info", notModel], 1, /not a valid TFLite model: file identifier is/]);
  cases.push([["evaluate", truncated], 1, /not a valid TFLite model/]);
  for (const [args, status, message] of cases) {
    const run = digitkit(...args);
    assert.equal(run.status, status, `${args.join(" ")}: ${run.stderr}`);
    assert.equal(run.stderr.trim().split("\n").length, 1, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(" "));
  }
  assert.equal(readdirSync(dir).includes("x.tflite"), false, "failed exports write nothing");
});

test("digitkit evaluate FILE.tflite runs the test set through the runtime and matches the card", () => {
  const card = JSON.parse(readFileSync("models/mnist_mlp_int8.json", "utf8"));
  const run = digitkit("evaluate", "models/mnist_mlp_int8.tflite", "--json");
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.n, 10000);
  assert.equal(result.accuracy, card.testAccuracy);
  assert.equal(
    result.confusion.flat().reduce((a: number, b: number) => a + b, 0),
    10000,
  );
});
