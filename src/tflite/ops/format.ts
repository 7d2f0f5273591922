import type { Builder, Offset } from "flatbuffers";
import { elementCount } from "../graph.ts";
import type { OptionValue, TfliteOperator, TfliteSubgraph, TfliteTensor } from "../reader.ts";

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
