import type { OperatorOptions } from "./ops/registry.ts";
import type { BuiltinOperatorValue, TensorTypeValue } from "./schema.ts";

export type { OperatorOptions };

/**
 * A TFLite model before serialisation: one subgraph of tensors and operators. The converter builds
 * it from a TF.js model, the quantizer rewrites it, the flatbuffer writer turns it into bytes.
 */
export interface GraphSpec {
  tensors: TensorSpec[];
  operators: OperatorSpec[];
  inputs: number[];
  outputs: number[];
  description: string;
}

/** f = scale * (q - zeroPoint), per tensor (one entry) or per channel along quantizedDimension. */
export interface QuantizationSpec {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension?: number;
  min?: number[];
  max?: number[];
}

export interface TensorSpec {
  name: string;
  shape: number[];
  type: TensorTypeValue;
  /** Constant data (little-endian, row-major); absent for activations. */
  data?: Uint8Array;
  quantization?: QuantizationSpec;
}

export interface OperatorSpec {
  op: BuiltinOperatorValue;
  /** The operator version the runtime's kernel registry looks up (depends on the tensor types). */
  version: number;
  inputs: number[];
  outputs: number[];
  options: OperatorOptions;
}

/** Adds a tensor and returns its index. */
export function addTensor(graph: GraphSpec, tensor: TensorSpec): number {
  graph.tensors.push(tensor);
  return graph.tensors.length - 1;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A copy of the bytes in an ArrayBuffer of their own, so any typed array can view them aligned. */
export function ownBuffer(data: Uint8Array): ArrayBufferLike {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
}

/** Little-endian bytes of a float32 array (a copy: the graph owns its data). */
export function float32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

export function int32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}
