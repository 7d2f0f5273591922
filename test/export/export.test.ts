import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { exportModel } from "../../src/export/export.ts";
import { checkMetadata } from "../../src/export/verify.ts";
import { buildModel } from "../../src/model/architectures.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { readModelMetadata } from "../../src/tflite/metadata.ts";
import { readTflite } from "../../src/tflite/reader.ts";
import { TensorType } from "../../src/tflite/schema.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import {
  agreement,
  maxAbsDiff,
  runtimeOutputs,
  testDigits,
  tfjsOutputs,
} from "../tflite/helpers.ts";

// Exports of freshly initialised (seeded) networks: float32 must reproduce TF.js exactly enough
// whatever the weights are. Trained-model checks (quantization accuracy) are in shipped.test.ts.
before(() => useWasmBackend());

test("the tutorial MLP exports as FULLY_CONNECTED(RELU) ×2, FULLY_CONNECTED, SOFTMAX and matches TF.js within 1e-5", async () => {
  const model = buildModel("mlp", { seed: 11, dropout: 0.2 });
  const { bytes } = await exportModel(model, "none", { wasmRoot: nodeWasmRoot() });
  const sub = readTflite(bytes).subgraphs[0];
  assert.deepEqual(
    sub.operators.map(
      (op) => `${op.name}${op.options.activation ? `/${op.options.activation}` : ""}`,
    ),
    ["FULLY_CONNECTED/RELU", "FULLY_CONNECTED/RELU", "FULLY_CONNECTED/NONE", "SOFTMAX"],
  );
  const input = sub.tensors[sub.inputs[0]];
  const output = sub.tensors[sub.outputs[0]];
  assert.deepEqual([input.shape, input.type], [[1, 784], TensorType.FLOAT32]);
  assert.deepEqual([output.shape, output.type], [[1, 10], TensorType.FLOAT32]);
  assert.equal(input.name, "dense_1_input");
  assert.equal(output.name, "dense_3/Softmax");
  assert.deepEqual(
    sub.tensors.filter((t) => t.data).map((t) => `${t.name} [${t.shape}]`),
    [
      "dense_1/kernel [512,784]",
      "dense_1/bias [512]",
      "dense_2/kernel [512,512]",
      "dense_2/bias [512]",
      "dense_3/kernel [10,512]",
      "dense_3/bias [10]",
    ],
  );

  const digits = await testDigits(300);
  const ours = await runtimeOutputs(bytes, digits.inputs, digits.count);
  const theirs = tfjsOutputs(model, digits.inputs, digits.count);
  assert.ok(maxAbsDiff(ours, theirs) <= 1e-5, `max difference ${maxAbsDiff(ours, theirs)}`);
});

test("the CNN exports as CONV_2D, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX and matches TF.js within 1e-5", async () => {
  const model = buildModel("cnn", { seed: 12, dropout: 0.3 });
  const { bytes } = await exportModel(model, "none", { wasmRoot: nodeWasmRoot() });
  const sub = readTflite(bytes).subgraphs[0];
  assert.deepEqual(
    sub.operators.map((op) => op.name),
    [
      "CONV_2D",
      "MAX_POOL_2D",
      "CONV_2D",
      "MAX_POOL_2D",
      "RESHAPE",
      "FULLY_CONNECTED",
      "FULLY_CONNECTED",
      "SOFTMAX",
    ],
  );
  assert.deepEqual(sub.operators[0].options.activation, "RELU");
  assert.deepEqual(sub.tensors[sub.inputs[0]].shape, [1, 28, 28, 1]);
  assert.deepEqual(sub.tensors[sub.outputs[0]].shape, [1, 10]);
  const filter = sub.tensors[sub.operators[2].inputs[1]];
  assert.deepEqual(filter.shape, [64, 3, 3, 32], "OHWI");

  const digits = await testDigits(200);
  const ours = await runtimeOutputs(bytes, digits.inputs, digits.count);
  const theirs = tfjsOutputs(model, digits.inputs, digits.count);
  assert.ok(maxAbsDiff(ours, theirs) <= 1e-5, `max difference ${maxAbsDiff(ours, theirs)}`);
});

test("quantized variants keep float32 input and output and the promised storage types", async () => {
  const model = buildModel("mlp", { seed: 13 });
  const digits = await testDigits(100);
  const calibration = Array.from({ length: 50 }, (_, i) =>
    digits.inputs.slice(i * 784, (i + 1) * 784),
  );
  const sizes: Record<string, number> = {};
  for (const mode of ["none", "float16", "dynamic", "int8"] as const) {
    const { bytes } = await exportModel(model, mode, { wasmRoot: nodeWasmRoot(), calibration });
    sizes[mode] = bytes.length;
    const sub = readTflite(bytes).subgraphs[0];
    const io = [sub.tensors[sub.inputs[0]], sub.tensors[sub.outputs[0]]];
    assert.deepEqual(
      io.map((t) => [t.type, t.shape]),
      [
        [TensorType.FLOAT32, [1, 784]],
        [TensorType.FLOAT32, [1, 10]],
      ],
      mode,
    );
    const kernels = sub.tensors.filter((t) => t.name.endsWith("/kernel"));
    const ops = sub.operators.map((op) => op.name);
    if (mode === "float16") {
      assert.ok(kernels.every((t) => t.type === TensorType.FLOAT16));
      assert.equal(
        ops.filter((op) => op === "DEQUANTIZE").length,
        6,
        "one DEQUANTIZE per weight and bias",
      );
    }
    if (mode === "dynamic") {
      // One scale per weight tensor: per-channel hybrid FULLY_CONNECTED is version 12 (TFLite
      // 2.17), which older runtimes rightly refuse; version 3 reads the same everywhere.
      assert.ok(
        kernels.every((t) => t.type === TensorType.INT8 && t.quantization?.scale.length === 1),
        "int8, one scale per tensor",
      );
      assert.deepEqual(
        sub.operators.filter((op) => op.name === "FULLY_CONNECTED").map((op) => op.version),
        [3, 3, 3],
      );
      assert.ok(
        sub.tensors.filter((t) => !t.data).every((t) => t.type === TensorType.FLOAT32),
        "float activations",
      );
    }
    if (mode === "int8") {
      assert.deepEqual([ops[0], ops[ops.length - 1]], ["QUANTIZE", "DEQUANTIZE"]);
      const activations = sub.tensors.filter((t) => !t.data && !io.includes(t));
      assert.ok(
        activations.every((t) => t.type === TensorType.INT8 && t.quantization),
        "int8 activations",
      );
      assert.ok(
        sub.tensors
          .filter((t) => t.name.endsWith("/bias"))
          .every((t) => t.type === TensorType.INT32),
      );
      const softmax = activations.find((t) => t.name.endsWith("Softmax_int8"));
      assert.deepEqual(
        [softmax?.quantization?.scale[0], softmax?.quantization?.zeroPoint[0]],
        [1 / 256, -128],
      );
    }
    // Every variant computes nearly what the float model computes, through the runtime.
    const ours = await runtimeOutputs(bytes, digits.inputs, digits.count);
    const theirs = tfjsOutputs(model, digits.inputs, digits.count);
    const tolerance = { none: 1e-5, float16: 1e-3, dynamic: 0.05, int8: 0.05 }[mode];
    assert.ok(
      maxAbsDiff(ours, theirs) <= tolerance,
      `${mode}: max difference ${maxAbsDiff(ours, theirs)}`,
    );
    assert.ok(agreement(ours, theirs, digits.labels).same >= 0.9, mode);
  }
  assert.ok(sizes.float16 < sizes.none * 0.51, `float16 ${sizes.float16} vs ${sizes.none}`);
  assert.ok(
    sizes.dynamic < sizes.none * 0.26 && sizes.dynamic <= 700_000,
    `dynamic ${sizes.dynamic}`,
  );
  assert.ok(sizes.int8 < sizes.none * 0.26 && sizes.int8 <= 700_000, `int8 ${sizes.int8}`);
});

test("a CNN quantizes to int8 with per-channel filters and runs in the runtime", async () => {
  const model = buildModel("cnn", { seed: 14 });
  const digits = await testDigits(60);
  const calibration = Array.from({ length: 30 }, (_, i) =>
    digits.inputs.slice(i * 784, (i + 1) * 784),
  );
  const { bytes } = await exportModel(model, "int8", { wasmRoot: nodeWasmRoot(), calibration });
  const sub = readTflite(bytes).subgraphs[0];
  const filter = sub.tensors[sub.operators.find((op) => op.name === "CONV_2D")!.inputs[1]];
  assert.equal(filter.type, TensorType.INT8);
  assert.equal(filter.quantization?.scale.length, filter.shape[0]);
  const ours = await runtimeOutputs(bytes, digits.inputs, digits.count);
  assert.ok(maxAbsDiff(ours, tfjsOutputs(model, digits.inputs, digits.count)) <= 0.05);
});

test("layers TFLite export does not cover are refused with a one-line UserError", async () => {
  const { sequential, layers } = await import("@tensorflow/tfjs-layers");
  const { UserError } = await import("../../src/util/errors.ts");
  // BatchNormalization exports now (MUL and ADD, for Keras imports): LayerNormalization does not.
  const norm = sequential();
  norm.add(layers.dense({ name: "d", inputShape: [4], units: 3 }));
  norm.add(layers.layerNormalization({ name: "ln" }));
  await assert.rejects(exportModel(norm, "none", { wasmRoot: nodeWasmRoot() }), (error: Error) => {
    assert.ok(error instanceof UserError);
    assert.equal(error.message, 'cannot export layer "ln" of type LayerNormalization to TFLite');
    return true;
  });
  const sigmoid = sequential();
  sigmoid.add(layers.dense({ name: "s", inputShape: [4], units: 3, activation: "sigmoid" }));
  await assert.rejects(
    exportModel(sigmoid, "none", { wasmRoot: nodeWasmRoot() }),
    /cannot export activation "sigmoid" of layer "s"/,
  );
});

test("operator versions follow TFLite's rules and min_runtime_version follows them", async () => {
  await useWasmBackend();
  const model = buildModel("mlp", { seed: 3 });
  const digits = await testDigits(20);
  const calibration = Array.from({ length: 20 }, (_, i) =>
    digits.inputs.slice(i * 784, (i + 1) * 784),
  );
  const expected = {
    none: { FULLY_CONNECTED: 1, SOFTMAX: 1, runtime: "1.5.0" },
    float16: { DEQUANTIZE: 3, FULLY_CONNECTED: 1, SOFTMAX: 1, runtime: "1.15.0" },
    dynamic: { FULLY_CONNECTED: 3, SOFTMAX: 1, runtime: "1.14.0" },
    int8: { QUANTIZE: 1, FULLY_CONNECTED: 4, SOFTMAX: 2, DEQUANTIZE: 2, runtime: "1.14.0" },
  };
  for (const [mode, want] of Object.entries(expected)) {
    const { bytes } = await exportModel(model, mode as keyof typeof expected, {
      wasmRoot: nodeWasmRoot(),
      calibration,
    });
    const file = readTflite(bytes);
    const { runtime, ...versions } = want;
    assert.deepEqual(
      Object.fromEntries(file.operatorCodes.map((c) => [c.name, c.version])),
      versions,
      mode,
    );
    const entry = file.metadata.find((m) => m.name === "min_runtime_version");
    assert.equal(entry?.data.length, 16);
    assert.equal(new TextDecoder().decode(entry?.data).replace(/\0+$/, ""), runtime, mode);
  }
  // Per-channel hybrid weights are FULLY_CONNECTED version 12, first run by TFLite 2.17.
  const { bytes } = await exportModel(model, "dynamic", {
    wasmRoot: nodeWasmRoot(),
    quantize: { perChannelHybrid: true },
  });
  const file = readTflite(bytes);
  assert.deepEqual(
    file.operatorCodes.map((c) => [c.name, c.version]),
    [
      ["FULLY_CONNECTED", 12],
      ["SOFTMAX", 1],
    ],
  );
  const entry = file.metadata.find((m) => m.name === "min_runtime_version");
  assert.equal(new TextDecoder().decode(entry?.data).replace(/\0+$/, ""), "2.17.0");
});

test("every export carries TFLite Metadata and labels.txt zipped onto its end", async () => {
  await useWasmBackend();
  const { bytes } = await exportModel(buildModel("cnn", { seed: 1 }), "none", {
    wasmRoot: nodeWasmRoot(),
    metadata: { name: "test digits", version: "7" },
  });
  const file = readTflite(bytes);
  const entry = file.metadata.find((m) => m.name === "TFLITE_METADATA");
  assert.ok(entry);
  assert.equal(String.fromCharCode(...entry.data.subarray(4, 8)), "M001");
  const m = readModelMetadata(entry.data);
  assert.equal(m.name, "test digits");
  assert.equal(m.version, "7");
  assert.equal(m.author, "DigitKit");
  assert.equal(m.license, "MIT");
  assert.equal(m.minParserVersion, "1.0.0");
  assert.deepEqual(m.inputs[0].content, {
    kind: "image",
    colorSpace: "GRAYSCALE",
    width: 28,
    height: 28,
  });
  assert.deepEqual(m.inputs[0].normalization, { mean: [0], std: [255] });
  assert.deepEqual(m.inputs[0].stats, { min: [0], max: [1] });
  assert.deepEqual(m.outputs[0].associatedFiles?.[0]?.name, "labels.txt");
  assert.deepEqual(m.outputs[0].associatedFiles?.[0]?.type, "TENSOR_AXIS_LABELS");
  // The zip at the end is what unzip(1) and Python's zipfile read: check with Python's.
  const dir = mkdtempSync(join(tmpdir(), "digitkit-zip-"));
  const path = join(dir, "model.tflite");
  writeFileSync(path, bytes);
  const listed = spawnSync("/usr/bin/python3", [
    "-c",
    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); z.testzip(); print(repr(z.read('labels.txt').decode()), z.getinfo('labels.txt').compress_type)",
    path,
  ]);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(listed.stdout.toString().trim(), "'0\\n1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n' 0");
  assert.deepEqual(checkMetadata(file, bytes), []);
});
