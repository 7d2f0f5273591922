import { Builder, type Offset } from "flatbuffers";
import type {
  GraphSpec,
  OperatorOptions,
  OperatorSpec,
  QuantizationSpec,
  TensorSpec,
} from "./graph.ts";
import { emptyTable, int32Vector } from "./ops/format.ts";
import { optionsCodecOfKind } from "./ops/registry.ts";
import {
  BufferField,
  FILE_IDENTIFIER,
  ModelField,
  OperatorCodeField,
  OperatorField,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  QuantizationField,
  SCHEMA_VERSION,
  SignatureDefField,
  SubGraphField,
  TensorField,
  TensorMapField,
} from "./schema.ts";

/** The signature key TensorFlow's converter gives a model's one function. */
export const SIGNATURE_KEY = "serving_default";

/**
 * Serialises a graph as a TFLite flatbuffer: file identifier "TFL3", schema version 3, buffer 0
 * the empty sentinel, one buffer per constant tensor, both opcode fields set, one signature.
 */
export function serializeGraph(graph: GraphSpec, faults: WriterFaults = {}): Uint8Array {
  const b = new Builder(1024 + totalDataBytes(graph));

  // Buffers: 0 is the empty sentinel that every activation tensor points at.
  const bufferIndex: number[] = [];
  const bufferTables: Offset[] = [bufferZero(b, faults.bufferZeroData)];
  for (const tensor of graph.tensors) {
    if (tensor.data && tensor.data.length > 0) {
      bufferIndex.push(bufferTables.length);
      bufferTables.push(bufferTable(b, tensor.data));
    } else {
      bufferIndex.push(0);
    }
  }

  // Operator codes, one per distinct (op, version).
  const codeKeys: string[] = [];
  const codeOf = (op: OperatorSpec) => {
    const key = `${op.op}/${op.version}`;
    let index = codeKeys.indexOf(key);
    if (index < 0) index = codeKeys.push(key) - 1;
    return index;
  };
  const opcodeIndex = graph.operators.map(codeOf);
  const codeTables = codeKeys.map((key) => {
    const [op, version] = key.split("/").map(Number);
    b.startObject(OperatorCodeField.count);
    if (!faults.omitDeprecatedBuiltinCode) {
      b.addFieldInt8(
        OperatorCodeField.deprecated_builtin_code,
        Math.min(op, PLACEHOLDER_FOR_GREATER_OP_CODES),
        null,
      );
    }
    b.addFieldInt32(OperatorCodeField.version, version, null);
    if (!faults.omitBuiltinCode) b.addFieldInt32(OperatorCodeField.builtin_code, op, null);
    return b.endObject();
  });

  const tensorTables = graph.tensors.map((t, i) => writeTensor(b, t, bufferIndex[i]));
  const operatorTables = graph.operators.map((op, i) => writeOperator(b, op, opcodeIndex[i]));

  const subgraphName = b.createString("main");
  const tensorsVec = offsetVector(b, tensorTables);
  const inputsVec = int32Vector(b, graph.inputs);
  const outputsVec = int32Vector(b, graph.outputs);
  const operatorsVec = offsetVector(b, operatorTables);
  b.startObject(SubGraphField.count);
  b.addFieldOffset(SubGraphField.tensors, tensorsVec, 0);
  b.addFieldOffset(SubGraphField.inputs, inputsVec, 0);
  b.addFieldOffset(SubGraphField.outputs, outputsVec, 0);
  b.addFieldOffset(SubGraphField.operators, operatorsVec, 0);
  b.addFieldOffset(SubGraphField.name, subgraphName, 0);
  const subgraph = b.endObject();

  const signature = writeSignature(b, graph);
  const description = b.createString(graph.description);
  const codesVec = offsetVector(b, codeTables);
  const subgraphsVec = offsetVector(b, [subgraph]);
  const buffersVec = offsetVector(b, bufferTables);
  const signaturesVec = offsetVector(b, [signature]);
  b.startObject(ModelField.count);
  b.addFieldInt32(ModelField.version, SCHEMA_VERSION, null);
  b.addFieldOffset(ModelField.operator_codes, codesVec, 0);
  b.addFieldOffset(ModelField.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(ModelField.description, description, 0);
  b.addFieldOffset(ModelField.buffers, buffersVec, 0);
  b.addFieldOffset(ModelField.signature_defs, signaturesVec, 0);
  const model = b.endObject();
  b.finish(model, FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

/**
 * Mistakes the writer can be told to make, so that tests can show our checks catch what the
 * runtimes accept silently. Never set outside tests.
 */
export interface WriterFaults {
  bufferZeroData?: Uint8Array;
  omitBuiltinCode?: boolean;
  omitDeprecatedBuiltinCode?: boolean;
}

function bufferZero(b: Builder, data: Uint8Array | undefined): Offset {
  return data ? bufferTable(b, data) : emptyTable(b, BufferField.count);
}

/** A Buffer table holding `data`, aligned to 16 bytes. */
function bufferTable(b: Builder, data: Uint8Array): Offset {
  const vector = alignedByteVector(b, data, 16);
  b.startObject(BufferField.count);
  b.addFieldOffset(BufferField.data, vector, 0);
  return b.endObject();
}

function totalDataBytes(graph: GraphSpec): number {
  return graph.tensors.reduce((sum, t) => sum + (t.data?.length ?? 0) + 32, 0);
}

/** A [ubyte] vector whose first byte is aligned (schema: `force_align: 16` on Buffer.data). */
function alignedByteVector(b: Builder, bytes: Uint8Array, alignment: number): Offset {
  b.startVector(1, bytes.length, alignment);
  for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i]);
  return b.endVector();
}

function offsetVector(b: Builder, offsets: Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

function float32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function int64Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function writeQuantization(b: Builder, q: QuantizationSpec): Offset {
  const min = q.min ? float32Vector(b, q.min) : 0;
  const max = q.max ? float32Vector(b, q.max) : 0;
  const scale = float32Vector(b, q.scale);
  const zeroPoint = int64Vector(b, q.zeroPoint);
  b.startObject(QuantizationField.count);
  if (min) b.addFieldOffset(QuantizationField.min, min, 0);
  if (max) b.addFieldOffset(QuantizationField.max, max, 0);
  b.addFieldOffset(QuantizationField.scale, scale, 0);
  b.addFieldOffset(QuantizationField.zero_point, zeroPoint, 0);
  b.addFieldInt32(QuantizationField.quantized_dimension, q.quantizedDimension ?? 0, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: TensorSpec, buffer: number): Offset {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  const quantization = t.quantization ? writeQuantization(b, t.quantization) : 0;
  b.startObject(TensorField.count);
  b.addFieldOffset(TensorField.shape, shape, 0);
  b.addFieldInt8(TensorField.type, t.type, 0);
  b.addFieldInt32(TensorField.buffer, buffer, 0);
  b.addFieldOffset(TensorField.name, name, 0);
  if (quantization) b.addFieldOffset(TensorField.quantization, quantization, 0);
  return b.endObject();
}

/** Writes the options table; returns [union member index, table offset (0: none)]. */
function writeOptions(b: Builder, options: OperatorOptions): [number, Offset] {
  const codec = optionsCodecOfKind(options.kind);
  return [codec.type, codec.write(b, options)];
}

function writeOperator(b: Builder, op: OperatorSpec, opcodeIndex: number): Offset {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const [optionsType, options] = writeOptions(b, op.options);
  b.startObject(OperatorField.count);
  b.addFieldInt32(OperatorField.opcode_index, opcodeIndex, 0);
  b.addFieldOffset(OperatorField.inputs, inputs, 0);
  b.addFieldOffset(OperatorField.outputs, outputs, 0);
  if (options) {
    b.addFieldInt8(OperatorField.builtin_options_type, optionsType, 0);
    b.addFieldOffset(OperatorField.builtin_options, options, 0);
  }
  return b.endObject();
}

function writeTensorMaps(b: Builder, graph: GraphSpec, indices: number[]): Offset {
  const maps = indices.map((index) => {
    const name = b.createString(graph.tensors[index].name);
    b.startObject(TensorMapField.count);
    b.addFieldOffset(TensorMapField.name, name, 0);
    b.addFieldInt32(TensorMapField.tensor_index, index, 0);
    return b.endObject();
  });
  return offsetVector(b, maps);
}

function writeSignature(b: Builder, graph: GraphSpec): Offset {
  const inputs = writeTensorMaps(b, graph, graph.inputs);
  const outputs = writeTensorMaps(b, graph, graph.outputs);
  const key = b.createString(SIGNATURE_KEY);
  b.startObject(SignatureDefField.count);
  b.addFieldOffset(SignatureDefField.inputs, inputs, 0);
  b.addFieldOffset(SignatureDefField.outputs, outputs, 0);
  b.addFieldOffset(SignatureDefField.signature_key, key, 0);
  b.addFieldInt32(SignatureDefField.subgraph_index, 0, 0);
  return b.endObject();
}
