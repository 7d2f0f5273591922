import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { zipSync } from "fflate";
import { readTflite } from "../../src/tflite/reader.ts";
import { WILD, wildFile } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "digitkit-convert-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function digitkit(...args: string[]) {
  return spawnSync(process.execPath, ["bin/digitkit.js", ...args], { encoding: "utf8" });
}

test("digitkit convert writes a checked .tflite from a Keras .h5 and prints what it did", () => {
  wildFile("keras2-cnn-dropout.h5");
  const out = join(dir, "cnn.tflite");
  const run = digitkit(
    "convert",
    join(WILD, "keras2-cnn-dropout.h5"),
    "--out",
    out,
    "--check",
    "50",
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(
    run.stdout,
    /^read Keras full-model \.h5 \(Keras 2\.2\.4-tf\): 8 layers, input \[28,28,1\]$/m,
  );
  assert.match(run.stdout, /dropout_1 \(Dropout\): dropped, dropout is identity at inference/);
  assert.match(
    run.stdout,
    /wrote 7 ops \(none\): CONV_2D ×2, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED ×2, SOFTMAX/,
  );
  assert.match(
    run.stdout,
    /checked in LiteRT against TF\.js Layers on 50 MNIST test digits: largest output difference \S+, same digit 100\.00%/,
  );
  const file = readTflite(new Uint8Array(readFileSync(out)));
  assert.deepEqual(file.subgraphs[0].tensors[file.subgraphs[0].inputs[0]].shape, [1, 28, 28, 1]);
});

test("the same Keras files open in predict, info and evaluate", () => {
  const h5 = join(WILD, "keras2-cnn-dropout.h5");
  const predict = digitkit("predict", "test/fixtures/three.bmp", "--model", h5, "--json");
  assert.equal(predict.status, 0, predict.stderr);
  assert.equal(JSON.parse(predict.stdout).digit, 3);
  const info = digitkit("info", join(WILD, "keras3-cnn-batchnorm.keras"));
  assert.equal(info.status, 0, info.stderr);
  assert.match(
    info.stdout,
    /batch_normalization_3 \(BatchNormalization\): folded into the weights of dense_1/,
  );
  assert.match(info.stdout, /operators \(12\): CONV_2D ×5/);
  const evaluate = digitkit("evaluate", h5, "--json");
  assert.equal(evaluate.status, 0, evaluate.stderr);
  const result = JSON.parse(evaluate.stdout);
  assert.equal(result.n, 10000);
  assert.ok(result.accuracy > 0.98, `accuracy ${result.accuracy}`);
  const weightsOnly = digitkit(
    "predict",
    "test/fixtures/three.bmp",
    "--model",
    join(WILD, "keras2-mnist_mlp-weights-only.h5"),
  );
  assert.equal(weightsOnly.status, 1);
  assert.match(
    weightsOnly.stderr.trim(),
    /^digitkit predict: \S+weights-only\.h5: this \.h5 holds weights only \(no model_config\): convert it with digitkit convert FILE --arch mlp\|cnn --out FILE\.tflite$/,
  );
});

test("an unsupported layer is one line naming it, exit status 1, and no file", () => {
  const config = {
    class_name: "Sequential",
    config: {
      name: "s",
      layers: [
        { class_name: "InputLayer", config: { name: "in", batch_shape: [null, 28, 28, 1] } },
        { class_name: "Conv2DTranspose", config: { name: "up", filters: 4, kernel_size: 3 } },
      ],
    },
  };
  const path = join(dir, "unsupported.keras");
  writeFileSync(
    path,
    zipSync({
      "config.json": new TextEncoder().encode(JSON.stringify(config)),
      "model.weights.h5": new Uint8Array(8),
    }),
  );
  const out = join(dir, "unsupported.tflite");
  const run = digitkit("convert", path, "--out", out);
  assert.equal(run.status, 1);
  assert.equal(
    run.stderr.trim(),
    `digitkit convert: ${path}: layer "up" (Conv2DTranspose) is not supported`,
  );
  assert.equal(existsSync(out), false);
  const usage = digitkit("convert", path);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--out FILE\.tflite is required/);
});

test("--io uint8 without --quantize int8 is a usage error in convert and export (one parser), before any work", () => {
  for (const args of [
    ["convert", join(WILD, "keras2-cnn-dropout.h5")],
    ["export", "models/checkpoints/mnist_mlp"],
  ]) {
    const out = join(dir, "io.tflite");
    const run = digitkit(...args, "--out", out, "--quantize", "dynamic", "--io", "uint8");
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr.trim(), /--io uint8 needs --quantize int8/);
    assert.equal(run.stderr.trim().split("\n").length, 1);
    const bad = digitkit(...args, "--out", out, "--io", "int4");
    assert.match(bad.stderr, /--io must be one of float32, uint8, got "int4"/);
    assert.ok(!existsSync(out));
  }
});
