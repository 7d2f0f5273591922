// Digit models of each kind a converter writes, made here from the shipped MLP's weights: every
// one DigitKit should open reads the fixture's 3 with the same probabilities as the shipped
// float model (within what its quantization costs), and the others are refused with the reason.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { decodeImage } from "../../src/images/decode.ts";
import { Classifier } from "../../src/recognize/classifier.ts";
import { describePlan, planFromFile, planFromTensors } from "../../src/recognize/digit-model.ts";
import { INPUT_RANGES, parseInputRange } from "../../src/recognize/input-range.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { readInputNormalization } from "../../src/tflite/metadata-normalization.ts";
import { UsageError, UserError } from "../../src/util/errors.ts";
import {
  byteInputGraph,
  bytesOf,
  integerIoGraph,
  largeInputGraph,
  logitsGraph,
  mlpGraph,
  nineClassGraph,
  rgbInputGraph,
  SHIPPED_MLP,
  twoInputGraph,
  withInputShape,
  withoutOutputShape,
} from "./model-kinds.ts";

const three = await decodeImage(readFileSync("test/fixtures/three.bmp"));

async function probabilitiesOf(bytes: Uint8Array, inputRange?: string): Promise<number[]> {
  const range = inputRange ? parseInputRange(inputRange) : undefined;
  const classifier = await Classifier.load(bytes, nodeWasmRoot(), { inputRange: range });
  try {
    return classifier.classify(three.data, three.width, three.height).probabilities;
  } finally {
    classifier.dispose();
  }
}

const reference = await probabilitiesOf(new Uint8Array(readFileSync(SHIPPED_MLP)));

function close(actual: number[], tolerance: number, what: string): void {
  const worst = Math.max(...actual.map((p, d) => Math.abs(p - reference[d])));
  assert.ok(worst <= tolerance, `${what}: off by ${worst}`);
  assert.equal(actual.indexOf(Math.max(...actual)), 3, what);
}

const opened: [string, () => Uint8Array, number, RegExp][] = [
  ["logits (no softmax in the graph)", () => bytesOf(logitsGraph()), 1e-6, /ten logits/],
  ["input [1,28,28]", () => bytesOf(withInputShape(mlpGraph(), [1, 28, 28])), 1e-6, /\[1,28,28\]/],
  ["input [1,28,28,1]", () => bytesOf(withInputShape(mlpGraph(), [1, 28, 28, 1])), 1e-6, /,1\]/],
  ["input [1,56,56,1] (max-pooled to 28)", () => bytesOf(largeInputGraph()), 0.02, /56×56/],
  ["an RGB input [1,28,28,3]", () => bytesOf(rgbInputGraph()), 1e-5, /each of 3 channels/],
  ["uint8 input and output", () => bytesOf(integerIoGraph("uint8")), 0.02, /uint8.*quantization/],
  ["int8 input and output", () => bytesOf(integerIoGraph("int8")), 0.02, /int8.*quantization/],
  [
    "an output written without a shape",
    () => withoutOutputShape(bytesOf(mlpGraph())),
    1e-6,
    /output's shape taken/,
  ],
  [
    "an int8 output written without a shape (its quantization kept)",
    () => withoutOutputShape(bytesOf(integerIoGraph("int8"))),
    0.02,
    /int8.*output's shape taken/,
  ],
];

for (const [kind, make, tolerance, feeding] of opened) {
  test(`opens a digit model with ${kind}`, async () => {
    const bytes = make();
    assert.match(describePlan(planFromFile(bytes)), feeding);
    close(await probabilitiesOf(bytes), tolerance, kind);
  });
}

test("the input scale: 0–1 by default, --input-range for a model fed raw bytes", async () => {
  const bytes = bytesOf(byteInputGraph());
  assert.equal(planFromFile(bytes).rangeSource, "default");
  // Fed 0–1, a model that wants 0–255 sees a faint digit and is not sure of anything.
  const faint = await probabilitiesOf(bytes);
  assert.ok(Math.max(...faint) < 0.9, `fed 0–1 it says ${Math.max(...faint)}`);
  close(await probabilitiesOf(bytes, "0-255"), 1e-5, "0-255");
  assert.deepEqual(planFromFile(bytes, { inputRange: INPUT_RANGES["-1-1"] }).ranges, [
    { lo: -1, hi: 1 },
  ]);
  assert.throws(() => parseInputRange("0-100"), UsageError);
});

test("the input scale from the metadata's NormalizationOptions (the Task Library's test model)", () => {
  const bytes = new Uint8Array(
    readFileSync(
      "../shared/models-in-the-wild/tflite-support-mobilenet-quant-with-metadata.tflite",
    ),
  );
  assert.deepEqual(readInputNormalization(bytes), { mean: [127.5], std: [127.5] });
  // Our own exports carry metadata too: 0–255 pixels normalised by (x − 0) / 255, i.e. 0–1.
  assert.deepEqual(readInputNormalization(new Uint8Array(readFileSync(SHIPPED_MLP))), {
    mean: [0],
    std: [255],
  });
});

const refused: [string, () => Uint8Array, RegExp][] = [
  ["two inputs", () => bytesOf(twoInputGraph()), /takes 2 inputs/],
  ["nine classes", () => bytesOf(nineClassGraph()), /not a digit classifier.*\[1,9\]/],
  [
    "a [1,3] input",
    () => bytesOf(withInputShape(mlpGraph(), [1, 3])),
    /not an image model|does not divide/,
  ],
];

for (const [kind, make, reason] of refused) {
  test(`refuses a model with ${kind}, saying why`, async () => {
    await assert.rejects(Classifier.load(make(), nodeWasmRoot()), (error: Error) => {
      assert.ok(error instanceof UserError, String(error));
      assert.match(error.message, reason);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  });
}

test("the scale's sources in order: the option, the metadata, the quantization, else 0–1", () => {
  const tensor = (shape: number[], typeName: string, scale?: number, zero?: number) => ({
    index: 0,
    name: "t",
    shape,
    type: 0,
    typeName,
    buffer: 0,
    ...(scale === undefined
      ? {}
      : { quantization: { scale: [scale], zeroPoint: [zero ?? 0], quantizedDimension: 0 } }),
  });
  const out = tensor([1, 10], "FLOAT32");
  const centred = { mean: [127.5], std: [127.5] };
  const plan = (input: ReturnType<typeof tensor>, meta: typeof centred | null, option?: string) =>
    planFromTensors(input, out, option ? parseInputRange(option) : undefined, meta);

  const float = tensor([1, 28, 28, 1], "FLOAT32");
  assert.deepEqual(plan(float, null).ranges, [{ lo: 0, hi: 1 }]);
  assert.equal(plan(float, null).rangeSource, "default");
  assert.deepEqual(plan(float, centred).ranges, [{ lo: -1, hi: 1 }]);
  assert.equal(plan(float, centred).rangeSource, "metadata");
  assert.deepEqual(plan(float, { mean: [0], std: [1] }).ranges, [{ lo: 0, hi: 255 }]);
  assert.deepEqual(plan(float, centred, "0-255").ranges, [{ lo: 0, hi: 255 }]);
  assert.throws(() => plan(float, { mean: [0], std: [0] }), /normalization is unusable/);

  // uint8 scale 1/255, zero point 0 covers 0–1; int8 scale 1/127.5, zero point 0 covers about −1–1.
  const bytes = tensor([1, 784], "UINT8", 1 / 255, 0);
  assert.equal(plan(bytes, null).rangeSource, "quantization");
  assert.ok(Math.abs(plan(bytes, null).ranges[0].hi - 1) < 1e-6);
  const signed = tensor([1, 784], "INT8", 1 / 127.5, 0);
  assert.ok(Math.abs(plan(signed, null).ranges[0].lo + 128 / 127.5) < 1e-6);
  // The metadata's normalization comes first for a quantized input too (the schema says so).
  assert.equal(plan(bytes, centred).rangeSource, "metadata");
  assert.throws(() => plan(tensor([1, 784], "UINT8"), null), /no single scale and zero point/);
  // RGB: the grey goes into each of three channels, per-channel normalization kept.
  const rgb = plan(tensor([1, 28, 28, 3], "FLOAT32"), {
    mean: [0, 127.5, 0],
    std: [255, 127.5, 1],
  });
  assert.equal(rgb.channels, 3);
  assert.deepEqual(rgb.ranges, [
    { lo: 0, hi: 1 },
    { lo: -1, hi: 1 },
    { lo: 0, hi: 255 },
  ]);
});
