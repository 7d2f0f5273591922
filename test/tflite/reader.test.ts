import assert from "node:assert/strict";
import { test } from "node:test";
import { describeModel } from "../../src/tflite/describe.ts";
import { readTflite } from "../../src/tflite/reader.ts";
import { SCHEMA_VERSION, TensorType } from "../../src/tflite/schema.ts";
import { serializeGraph } from "../../src/tflite/writer.ts";
import { crc32, readZipEntries, storedZip } from "../../src/tflite/zip.ts";
import { tinyGraph, tinyModelBytes } from "./tiny-model.ts";

test("reads back what the writer wrote", () => {
  const file = readTflite(tinyModelBytes());
  assert.equal(file.version, SCHEMA_VERSION);
  assert.equal(file.description, "tiny test model");
  assert.equal(file.bufferSizes[0], 0);
  assert.deepEqual(file.bufferSizes.slice(1), [24, 8]);
  const sub = file.subgraphs[0];
  assert.deepEqual(sub.inputs, [0]);
  assert.deepEqual(sub.outputs, [4]);
  assert.deepEqual(
    sub.tensors.map((t) => [t.name, t.shape, t.typeName, t.buffer]),
    [
      ["x", [1, 3], "FLOAT32", 0],
      ["w", [2, 3], "FLOAT32", 1],
      ["b", [2], "FLOAT32", 2],
      ["h", [1, 2], "FLOAT32", 0],
      ["y", [1, 2], "FLOAT32", 0],
    ],
  );
  assert.deepEqual(
    Array.from(new Float32Array(sub.tensors[1].data!.slice().buffer)),
    [1, 2, 3, -1, 0.5, 0],
  );
  assert.deepEqual(
    sub.operators.map((op) => [op.name, op.inputs, op.outputs, op.options]),
    [
      ["FULLY_CONNECTED", [0, 1, 2], [3], { activation: "RELU" }],
      ["SOFTMAX", [3], [4], { beta: 1 }],
    ],
  );
  assert.deepEqual(
    file.operatorCodes.map((c) => [
      c.builtinCode,
      c.deprecatedBuiltinCode,
      c.hasBuiltinCode,
      c.hasDeprecatedBuiltinCode,
    ]),
    [
      [9, 9, true, true],
      [25, 25, true, true],
    ],
  );
  assert.deepEqual(file.signatures, [
    {
      key: "serving_default",
      subgraphIndex: 0,
      inputs: [{ name: "x", tensorIndex: 0 }],
      outputs: [{ name: "y", tensorIndex: 4 }],
    },
  ]);
});

test("wrong identifier and truncation are one-line errors", () => {
  const bytes = tinyModelBytes();
  const renamed = bytes.slice();
  renamed.set([84, 70, 76, 50], 4); // "TFL2"
  assert.throws(
    () => readTflite(renamed),
    /^TfliteFormatError: not a valid TFLite model: file identifier is "TFL2", expected "TFL3"$/m,
  );
  assert.throws(() => readTflite(bytes.slice(0, 5)), /the file is too short \(5 bytes\)/);
  for (const length of [16, 100, 400, bytes.length - 1]) {
    assert.throws(
      () => readTflite(bytes.slice(0, length)),
      /not a valid TFLite model: .* past the end of the file/,
      `length ${length}`,
    );
  }
});

test("a tensor whose shape does not match its buffer is refused", () => {
  const graph = tinyGraph();
  graph.tensors[1].shape = [2, 4];
  graph.tensors[3].shape = [1, 2];
  assert.throws(
    () => readTflite(serializeGraph(graph)),
    /tensor 1 has shape \[2,4\] \(32 bytes\) but its buffer holds 24/,
  );
});

test("operator inputs out of range and unknown operators are refused", () => {
  const outOfRange = tinyGraph();
  outOfRange.operators[0].inputs = [0, 99, 2];
  assert.throws(
    () => readTflite(serializeGraph(outOfRange)),
    /operator 0 inputs refers to tensor 99, but there are 5/,
  );
  const unknown = tinyGraph();
  unknown.operators[1].op = 250 as never;
  assert.throws(
    () => readTflite(serializeGraph(unknown)),
    /operator code 1 is an unknown operator \(250\)/,
  );
});

test("shapes that do not fit the op are refused before a runtime sees them", () => {
  const graph = tinyGraph();
  graph.tensors[0].shape = [1, 5]; // FULLY_CONNECTED weights take 3 inputs per row
  assert.throws(
    () => readTflite(serializeGraph(graph)),
    /operator 0 \(FULLY_CONNECTED\): input \[1,5\] does not divide into rows of 3/,
  );
  const huge = tinyGraph();
  huge.tensors[3].shape = [1 << 20, 1 << 20];
  assert.throws(() => readTflite(serializeGraph(huge)), /tensor 3 is too large/);
});

test("int8 quantization parameters must match the channels", () => {
  const graph = tinyGraph();
  graph.tensors[1] = {
    ...graph.tensors[1],
    type: TensorType.INT8,
    data: new Uint8Array(6),
    quantization: { scale: [0.1, 0.2, 0.3], zeroPoint: [0, 0, 0], quantizedDimension: 0 },
  };
  assert.throws(() => readTflite(serializeGraph(graph)), /tensor 1 has 3 scales for 2 channels/);
});

test("quantization parameters are checked against their type: zero point range, scales", () => {
  const withWeights = (type: number, scale: number[], zeroPoint: number[]) => {
    const graph = tinyGraph();
    graph.tensors[1] = {
      ...graph.tensors[1],
      type: type as (typeof TensorType)[keyof typeof TensorType],
      data: new Uint8Array(6),
      quantization: { scale, zeroPoint, quantizedDimension: 0 },
    };
    return serializeGraph(graph);
  };
  const { INT8, UINT8 } = TensorType;
  // The mutated-model survey's zero point: an int8 one of 28,928.
  assert.throws(() => readTflite(withWeights(INT8, [0.1], [28928])), /zero point of 28928.*-128/);
  assert.throws(() => readTflite(withWeights(INT8, [0.1], [-129])), /zero point of -129/);
  assert.throws(() => readTflite(withWeights(UINT8, [0.1], [-1])), /zero point of -1.*0…255/);
  assert.throws(() => readTflite(withWeights(UINT8, [0.1], [256])), /zero point of 256/);
  for (const bad of [0, -0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => readTflite(withWeights(INT8, [bad], [0])), /quantization scale of/);
  }
  assert.throws(() => readTflite(withWeights(INT8, [0.1, 0], [0, 0])), /quantization scale of 0/);
  assert.doesNotThrow(() => readTflite(withWeights(INT8, [0.1], [-128])));
  assert.doesNotThrow(() => readTflite(withWeights(UINT8, [0.1], [255])));
  assert.doesNotThrow(() => readTflite(withWeights(INT8, [0.1, 0.2], [0, 0])));
});

test("broken metadata or a broken attached zip is reported in one line, the model still described", () => {
  const garbage = new Uint8Array(64).fill(7);
  const graph = { ...tinyGraph(), metadata: [{ name: "TFLITE_METADATA", data: garbage }] };
  const bytes = serializeGraph(graph);
  const d = describeModel(readTflite(bytes), "bad-metadata.tflite", bytes);
  assert.match(d.metadataError ?? "", /^its TFLite metadata is not valid: /);
  assert.equal(d.operators.length, 2);
  // A zip end record whose directory points before the file's start.
  const end = new Uint8Array(22);
  const view = new DataView(end.buffer);
  view.setUint32(0, 0x06054b50, true);
  view.setUint16(10, 1, true);
  view.setUint32(12, 46, true);
  view.setUint32(16, 0x7fffffff, true);
  const model = serializeGraph(tinyGraph());
  const withZip = new Uint8Array([...model, ...end]);
  const z = describeModel(readTflite(withZip), "bad-zip.tflite", withZip);
  assert.match(z.metadataError ?? "", /^its attached zip archive is not valid: /);
  assert.deepEqual(z.associatedFiles, []);
});

test("the zip writer's archive reads back, with offsets from the model's start", () => {
  const data = new TextEncoder().encode("0\n1\n");
  const model = new Uint8Array(100).fill(1);
  const zip = storedZip([{ name: "labels.txt", data }], model.length);
  const entries = readZipEntries(new Uint8Array([...model, ...zip]));
  assert.deepEqual(
    entries.map((e) => [e.name, e.method, e.size, new TextDecoder().decode(e.data)]),
    [["labels.txt", 0, 4, "0\n1\n"]],
  );
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});
