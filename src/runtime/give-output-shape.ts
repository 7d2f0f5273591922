import { Builder } from "flatbuffers";
import { FlatView } from "../tflite/flat-view.ts";
import {
  BuiltinOperator,
  ModelField,
  QuantizationField,
  SubGraphField,
  TensorField,
} from "../tflite/schema.ts";

/** Ops whose output has their first input's shape (what follows a classifier's last layer). */
const SAME_SHAPE_OPS = new Set<number>([
  BuiltinOperator.SOFTMAX,
  BuiltinOperator.QUANTIZE,
  BuiltinOperator.DEQUANTIZE,
  BuiltinOperator.LOGISTIC,
  BuiltinOperator.RELU,
  BuiltinOperator.RELU6,
  BuiltinOperator.TANH,
]);

const OperatorCodeSlot = { deprecated_builtin_code: 0, builtin_code: 3 } as const;
const OperatorSlot = { opcode_index: 0, inputs: 1, outputs: 2 } as const;

/** What the appended tensor table needs to know of the tensor it replaces. */
interface ShapelessTensor {
  type: number;
  buffer: number;
  name: string;
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
  hasQuantization: boolean;
}

/**
 * LiteRT.js sizes an output buffer from the tensor's written shape, so an output written without
 * one comes back as a single value although the graph computes ten (and our reader's shape checks
 * refuse it). We hand both a copy in which that tensor is a new table appended after the
 * flatbuffer (offsets only point forward, so the tensor list can point at it), holding the same
 * type, buffer, name and quantization plus the shape its producing op gives: FULLY_CONNECTED
 * [1, units]; a softmax, (de)quantize or activation its input's. Everything else is untouched.
 * Runs before the reader validates the file, so any read it cannot make leaves the bytes as
 * they are (the reader then says what is wrong).
 */
export function giveOutputShapes(bytes: Uint8Array): Uint8Array {
  try {
    return appendShapes(bytes);
  } catch {
    return bytes;
  }
}

function appendShapes(bytes: Uint8Array): Uint8Array {
  const view = new FlatView(bytes);
  const root = view.root();
  const subgraph = view.tables(root, ModelField.subgraphs)[0];
  if (subgraph === undefined) return bytes;
  const tensors = view.tables(subgraph, SubGraphField.tensors);
  const tensorList = view.vector(subgraph, SubGraphField.tensors, 4);
  const codes = view.tables(root, ModelField.operator_codes).map((code) => {
    const builtin = view.field(code, OperatorCodeSlot.builtin_code);
    const deprecated = view.field(code, OperatorCodeSlot.deprecated_builtin_code);
    return builtin ? view.i32(builtin) : deprecated ? (view.u8(deprecated) << 24) >> 24 : 0;
  });
  const operators = view.tables(subgraph, SubGraphField.operators).map((op) => {
    const opcode = view.field(op, OperatorSlot.opcode_index);
    return {
      code: codes[opcode ? view.u32(opcode) : 0] ?? -1,
      inputs: view.ints(op, OperatorSlot.inputs),
      outputs: view.ints(op, OperatorSlot.outputs),
    };
  });
  const shapeOf = (index: number) => view.ints(tensors[index], TensorField.shape);
  const inferred = (index: number, depth: number): number[] | null => {
    if (index < 0 || index >= tensors.length || depth > operators.length) return null;
    const own = shapeOf(index);
    if (own.length > 0) return own;
    const producer = operators.find((op) => op.outputs.includes(index));
    if (!producer) return null;
    if (producer.code === BuiltinOperator.FULLY_CONNECTED) {
      const weights = producer.inputs[1] >= 0 ? shapeOf(producer.inputs[1]) : [];
      return weights.length === 2 ? [1, weights[0]] : null;
    }
    return SAME_SHAPE_OPS.has(producer.code) ? inferred(producer.inputs[0], depth + 1) : null;
  };

  let out = bytes;
  for (const index of view.ints(subgraph, SubGraphField.outputs)) {
    if (index < 0 || index >= tensors.length || shapeOf(index).length > 0) continue;
    const shape = inferred(index, 0);
    if (!shape) continue;
    const piece = tensorTable(readShapeless(view, tensors[index]), shape);
    // Appended at a multiple of 8, the piece keeps the alignment the builder gave it.
    const at = Math.ceil(out.length / 8) * 8;
    const grown = new Uint8Array(at + piece.length);
    grown.set(out);
    grown.set(piece, at);
    const tablePos = at + new DataView(grown.buffer, at).getUint32(0, true);
    const entry = tensorList.start + 4 * index;
    new DataView(grown.buffer).setUint32(entry, tablePos - entry, true);
    out = grown;
  }
  return out;
}

function readShapeless(view: FlatView, tensor: number): ShapelessTensor {
  const type = view.field(tensor, TensorField.type);
  const buffer = view.field(tensor, TensorField.buffer);
  const q = view.table(tensor, TensorField.quantization);
  const dimension = q ? view.field(q, QuantizationField.quantized_dimension) : 0;
  return {
    type: type ? (view.u8(type) << 24) >> 24 : 0,
    buffer: buffer ? view.u32(buffer) : 0,
    name: view.string(tensor, TensorField.name),
    scale: q ? view.floats(q, QuantizationField.scale) : [],
    zeroPoint: q ? view.int64s(q, QuantizationField.zero_point) : [],
    quantizedDimension: dimension ? view.i32(dimension) : 0,
    hasQuantization: q !== 0,
  };
}

/** A standalone flatbuffer holding one Tensor table (its root) with the given shape. */
function tensorTable(tensor: ShapelessTensor, shape: number[]): Uint8Array {
  const b = new Builder(256);
  const shapeVector = intVector(b, shape);
  const name = b.createString(tensor.name);
  let quantization = 0;
  if (tensor.hasQuantization) {
    const scale = floatVector(b, tensor.scale);
    b.startVector(8, tensor.zeroPoint.length, 8);
    for (let i = tensor.zeroPoint.length - 1; i >= 0; i--) b.addInt64(BigInt(tensor.zeroPoint[i]));
    const zeroPoint = b.endVector();
    b.startObject(QuantizationField.count);
    b.addFieldOffset(QuantizationField.scale, scale, 0);
    b.addFieldOffset(QuantizationField.zero_point, zeroPoint, 0);
    b.addFieldInt32(QuantizationField.quantized_dimension, tensor.quantizedDimension, 0);
    quantization = b.endObject();
  }
  b.startObject(TensorField.count);
  b.addFieldOffset(TensorField.shape, shapeVector, 0);
  b.addFieldInt8(TensorField.type, tensor.type, 0);
  b.addFieldInt32(TensorField.buffer, tensor.buffer, 0);
  b.addFieldOffset(TensorField.name, name, 0);
  if (quantization) b.addFieldOffset(TensorField.quantization, quantization, 0);
  b.finish(b.endObject());
  return b.asUint8Array();
}

function intVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function floatVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}
