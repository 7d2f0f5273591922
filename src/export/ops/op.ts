import {
  addTensor,
  type GraphSpec,
  type OperatorSpec,
  type QuantizationSpec,
  type TensorSpec,
} from "../../tflite/graph.ts";
import { TensorType } from "../../tflite/schema.ts";

/**
 * One exported TFLite op, in one place: how TF.js layers become it, its float32 reference
 * arithmetic, and its quantized forms. Its file format (options, shape rules) is the matching
 * src/tflite/ops/ file. Listed in ./registry.ts.
 */
export interface ExportOp {
  code: number;
  /** TF.js layer class names this op converts, each with its converter. */
  layers?: Record<string, LayerConverter>;
  /** The op's float32 output from its inputs' values (calibration runs the graph through it). */
  reference?: (op: OperatorSpec, values: Float32Array[], shapeOf: ShapeOf) => Float32Array;
  /** Inputs that hold weights: float16 stores these as float16 behind a DEQUANTIZE. */
  weightInputs?: number[];
  /** Dynamic range: int8 weights (input 1) with float activations, at this op version. */
  hybridVersion?: number;
  /** int8: quantizes the op's constants, gives its output parameters and sets its version. */
  int8?: (op: OperatorSpec, pass: Int8Pass) => void;
}

export type ShapeOf = (tensor: number) => number[];

/** A layer as the converter sees it; returns the tensor that holds the layer's output. */
export type LayerConverter = (graph: GraphSpec, layer: LayerSource, input: number) => number;

export interface LayerSource {
  name: string;
  className: string;
  config: Record<string, unknown>;
  weights: WeightArray[];
}

export interface WeightArray {
  shape: number[];
  values: Float32Array;
}

/** What the int8 pass offers an op: calibrated ranges and the shared weight quantization. */
export interface Int8Pass {
  graph: GraphSpec;
  /** Quantization parameters of each int8 activation tensor, filled op by op. */
  params: Map<number, QuantizationSpec>;
  /** The parameters calibrated for an activation tensor from its observed range. */
  calibrated(tensor: number): QuantizationSpec;
  /** int8 weights (input 1) and int32 bias (input 2), one scale per channel or per tensor. */
  quantizeWeightsAndBias(op: OperatorSpec, perChannel: boolean): void;
  /** int8 FULLY_CONNECTED with one weight scale per unit. */
  perChannelDense: boolean;
}

/** Adds a float32 activation tensor. */
export function outputTensor(graph: GraphSpec, name: string, shape: number[]): number {
  return addTensor(graph, { name, shape, type: TensorType.FLOAT32 });
}

/** Adds a float32 constant. */
export function constant(graph: GraphSpec, spec: Omit<TensorSpec, "type">): number {
  return addTensor(graph, { ...spec, type: TensorType.FLOAT32 });
}

/** [a, b] from a config value that is a pair or one number for both. */
export function pair(value: unknown): [number, number] {
  return Array.isArray(value) ? [value[0], value[1]] : [Number(value), Number(value)];
}
