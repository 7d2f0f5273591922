import type { Builder, Offset } from "flatbuffers";
import { elementCount } from "../graph.ts";
import type { OptionValue, TfliteOperator, TfliteSubgraph, TfliteTensor } from "../reader.ts";
import { TensorType } from "../schema.ts";

/**
 * What the file format knows of one builtin op: its code, how its options table is written and
 * read, and the shape rules the reader enforces before any runtime sees the file. One file per op
 * (or per family sharing an options table) under src/tflite/ops/, listed in registry.ts.
 */
export interface OpFormat<O extends { kind: string } = { kind: string }> {
  code: number;
  options: OptionsCodec<O>;
  /** The first shape problem of one operator, or undefined. */
  checkShapes(graph: TfliteSubgraph, op: TfliteOperator): string | undefined;
  /**
   * The version TFLite's own rules give this use of the op (the converter's
   * tensorflow/lite/tools/versioning/op_version.cc, GetBuiltinOperatorVersion).
   */
  version(sig: OpSignature): number;
  /** The first TFLite runtime with each version's kernel (runtime_version.cc). */
  runtimeVersions: Record<number, string>;
}

/** What op_version.cc looks at: tensor types, per-channel quantization, the options. */
export interface OpSignature {
  /** One entry per input slot; undefined for an omitted optional input (index -1). */
  inputs: (TensorSignature | undefined)[];
  outputs: TensorSignature[];
  /** The options as written (OperatorOptions) or as read (the reader's decoded record). */
  options: object;
}

/** An option that is set (true or a non-zero number), whichever side the options come from. */
export function optionSet(sig: OpSignature, name: string): boolean {
  return !!(sig.options as Record<string, unknown>)[name];
}

export interface TensorSignature {
  type: number;
  shape: number[];
  /** How many quantization scales the tensor has (0 when it is not quantized). */
  scales: number;
  quantizedDimension: number;
}

/** op_signature.cc's per-channel test for weights: more than one scale, one per `axis` slice. */
export function scalePerSlice(t: TensorSignature | undefined, axis: number): boolean {
  return !!t && t.scales > 1 && t.scales === t.shape[axis];
}

/** The `type` of a signature slot (NO_TYPE for an omitted optional input). */
export function typeOf(t: TensorSignature | undefined): number {
  return t?.type ?? -1;
}

/** int8 in, int8 weights, int8 out / float in, int8 weights, float out. */
export function isInt8(sig: OpSignature): boolean {
  return (
    typeOf(sig.inputs[0]) === TensorType.INT8 &&
    typeOf(sig.inputs[1]) === TensorType.INT8 &&
    typeOf(sig.outputs[0]) === TensorType.INT8
  );
}
export function isHybrid(sig: OpSignature): boolean {
  return (
    typeOf(sig.inputs[0]) === TensorType.FLOAT32 &&
    typeOf(sig.inputs[1]) === TensorType.INT8 &&
    typeOf(sig.outputs[0]) === TensorType.FLOAT32
  );
}

/** Version 2 when the first input is int8 (3 for int16), else 1: most activations and pools. */
export function versionByInputType(sig: OpSignature): number {
  const type = typeOf(sig.inputs[0]);
  if (type === TensorType.INT16) return 3;
  return type === TensorType.INT8 ? 2 : 1;
}

/** The reading side of a flatbuffer table (the reader's bounds-checked Table satisfies it). */
export interface OptionsTable {
  int8(slot: number, fallback?: number): number;
  int32(slot: number, fallback?: number): number;
  float32(slot: number, fallback?: number): number;
  int32s(slot: number, what: string): number[];
}

/** One BuiltinOptions union member: its index, its writer and its reader. */
export interface OptionsCodec<O extends { kind: string }> {
  kind: O["kind"];
  /** The member index in `union BuiltinOptions` (NONE for ops written without options). */
  type: number;
  /** Writes the table; returns its offset, or 0 to write no options at all. */
  write(b: Builder, options: O): Offset;
  read(t: OptionsTable, what: string): Record<string, OptionValue>;
}

export const ACTIVATION_NAMES = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"];
export const PADDING_NAMES = ["SAME", "VALID"];

export function activationName(t: OptionsTable, slot: number): string {
  return ACTIVATION_NAMES[t.int8(slot)] ?? `UNKNOWN(${t.int8(slot)})`;
}

export function paddingName(t: OptionsTable, slot: number): string {
  return PADDING_NAMES[t.int8(slot)] ?? `UNKNOWN(${t.int8(slot)})`;
}

export function emptyTable(b: Builder, fields: number): Offset {
  b.startObject(fields);
  return b.endObject();
}

export function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

/** Options of ops written without an options table. */
export const NO_OPTIONS: OptionsCodec<{ kind: "none" }> = {
  kind: "none",
  type: 0,
  write: () => 0,
  read: () => ({}),
};

export const count = (t: TfliteTensor) => elementCount(t.shape);
export const sameShape = (a: number[], b: number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** An operator's tensors, with the "needs n inputs and an output" check every op starts with. */
export function operands(graph: TfliteSubgraph, op: TfliteOperator, inputs: number) {
  const tensor = (i: number | undefined) =>
    i === undefined || i < 0 ? undefined : graph.tensors[i];
  const x = tensor(op.inputs[0]);
  const y = tensor(op.outputs[0]);
  const missing =
    op.inputs.length < inputs || !x || !y ? `needs ${inputs} input(s) and an output` : undefined;
  return { x, y, tensor, missing };
}

/** Ops whose output has the input's shape (activations, QUANTIZE, DEQUANTIZE). */
export function checkSameShape(graph: TfliteSubgraph, op: TfliteOperator): string | undefined {
  const { x, y, missing } = operands(graph, op, 1);
  if (missing || !x || !y) return missing;
  return sameShape(x.shape, y.shape)
    ? undefined
    : `output [${y.shape}] differs from input [${x.shape}]`;
}

/** Output size of a sliding window (TensorFlow's SAME keeps ceil(size / stride)). */
export function windowOut(
  size: number,
  window: number,
  stride: number,
  dilation: number,
  same: boolean,
): number {
  const effective = (window - 1) * dilation + 1;
  return same ? Math.ceil(size / stride) : Math.floor((size - effective) / stride) + 1;
}

/** Padding before the first row/column: TensorFlow's SAME puts the odd pixel after. */
export function padBefore(
  same: boolean,
  size: number,
  window: number,
  stride: number,
  dilation: number,
  outSize: number,
): number {
  if (!same) return 0;
  const effective = (window - 1) * dilation + 1;
  const total = Math.max(0, (outSize - 1) * stride + effective - size);
  return Math.floor(total / 2);
}
