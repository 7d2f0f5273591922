import { float16Bytes } from "../tflite/float16.ts";
import {
  addTensor,
  type GraphSpec,
  int32Bytes,
  type OperatorSpec,
  ownBuffer,
  type QuantizationSpec,
  type TensorSpec,
} from "../tflite/graph.ts";
import { TensorType } from "../tflite/schema.ts";
import { assignOpVersions } from "../tflite/versioning.ts";
import type { Int8Pass } from "./ops/op.ts";
import { dequantizeOperator, quantizeOperator } from "./ops/quantize.ts";
import { exportOp } from "./ops/registry.ts";
import { ReferenceInterpreter } from "./reference.ts";

export interface QuantizeOptions {
  /** int8: one weight scale per unit for FULLY_CONNECTED too (CONV_2D always has them). */
  perChannelDense?: boolean;
  /**
   * dynamic: one weight scale per output channel. TFLite gives such a FULLY_CONNECTED version 12
   * (runtime 2.17) and CONV_2D version 5 (2.4), so older runtimes refuse the file; the default,
   * one scale per tensor (versions 3 and 2, runtime 1.14), runs in every runtime we test.
   */
  perChannelHybrid?: boolean;
  /**
   * int8: the element type of the model's input and output. float32 (default) keeps them float,
   * with QUANTIZE first and DEQUANTIZE last; uint8 makes them uint8 tensors with the int8 twin's
   * scale and its zero point + 128 (an exact requantization), joined by QUANTIZE at both edges,
   * as TensorFlow's converter writes with inference_input_type / inference_output_type uint8.
   */
  io?: IoElementType;
}

export type IoElementType = "float32" | "uint8";
export const IO_TYPES: readonly IoElementType[] = ["float32", "uint8"];

export type QuantizeMode = "none" | "float16" | "dynamic" | "int8";
export const QUANTIZE_MODES: readonly QuantizeMode[] = ["none", "float16", "dynamic", "int8"];

/**
 * Rewrites a float32 graph from the converter:
 * - float16: weights and biases stored as float16, each followed by a DEQUANTIZE to float32
 *   (what TensorFlow's converter emits for float16 quantization; runtimes fold it at load).
 * - dynamic: FULLY_CONNECTED / CONV_2D weights int8, symmetric, one scale per tensor (or per
 *   output channel, `perChannelHybrid`); biases and activations stay float32 (the runtime
 *   quantizes inputs on the fly).
 * - int8: weights int8, one scale per output channel for CONV_2D and per tensor for
 *   FULLY_CONNECTED (or per unit, `perChannelDense`), biases int32 (input scale × weight scale),
 *   activations int8 with ranges calibrated by running `calibration` inputs through the float
 *   graph; the float32 input and output are kept, with QUANTIZE first and DEQUANTIZE last, and
 *   SOFTMAX's output has TFLite's fixed int8 parameters (scale 1/256, zero point -128).
 * Every operator then gets the version TFLite's rules give its tensor types (versioning.ts).
 */
export function quantizeGraph(
  graph: GraphSpec,
  mode: QuantizeMode,
  calibration: Float32Array[] = [],
  options: QuantizeOptions = {},
): GraphSpec {
  switch (mode) {
    case "none":
      return assignOpVersions(graph);
    case "float16":
      return assignOpVersions(toFloat16(graph));
    case "dynamic":
      return assignOpVersions(toDynamicRange(graph, options.perChannelHybrid === true));
    case "int8":
      if (calibration.length === 0) throw new Error("int8 quantization needs calibration inputs");
      return assignOpVersions(toInt8(graph, calibrate(graph, calibration), options));
  }
}

/** The inputs of an op that hold weights (none for ops without). */
function weightInputs(op: OperatorSpec): number[] {
  return exportOp(op.op)?.weightInputs ?? [];
}

function copyGraph(graph: GraphSpec): GraphSpec {
  return {
    description: graph.description,
    inputs: graph.inputs.slice(),
    outputs: graph.outputs.slice(),
    tensors: graph.tensors.map((t) => ({ ...t, shape: t.shape.slice() })),
    operators: graph.operators.map((op) => ({
      ...op,
      inputs: op.inputs.slice(),
      outputs: op.outputs.slice(),
    })),
  };
}

function floats(t: TensorSpec): Float32Array {
  return new Float32Array(ownBuffer(t.data!));
}

function toFloat16(source: GraphSpec): GraphSpec {
  const graph = copyGraph(source);
  const dequantizeOps: OperatorSpec[] = [];
  const replaced = new Map<number, number>();
  for (const op of graph.operators) {
    for (const slot of weightInputs(op)) {
      const index = op.inputs[slot];
      if (index === undefined || index < 0) continue;
      let dequantized = replaced.get(index);
      if (dequantized === undefined) {
        const t = graph.tensors[index];
        graph.tensors[index] = { ...t, type: TensorType.FLOAT16, data: float16Bytes(floats(t)) };
        dequantized = addTensor(graph, {
          name: `${t.name}/dequantize`,
          shape: t.shape.slice(),
          type: TensorType.FLOAT32,
        });
        dequantizeOps.push(dequantizeOperator(index, dequantized));
        replaced.set(index, dequantized);
      }
      op.inputs[slot] = dequantized;
    }
  }
  graph.operators = [...dequantizeOps, ...graph.operators];
  return graph;
}

/** Symmetric int8 per output channel (axis 0): scale = max|w| / 127, zero point 0. */
export function quantizePerChannel(
  values: Float32Array,
  channels: number,
): { data: Int8Array; scale: number[] } {
  const perChannel = values.length / channels;
  const data = new Int8Array(values.length);
  const scale: number[] = [];
  for (let c = 0; c < channels; c++) {
    let maxAbs = 0;
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++)
      maxAbs = Math.max(maxAbs, Math.abs(values[i]));
    const s = maxAbs > 0 ? maxAbs / 127 : 1;
    scale.push(s);
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++) {
      data[i] = Math.max(-127, Math.min(127, Math.round(values[i] / s)));
    }
  }
  // Store the float32-rounded scales: that is what the file holds and the runtime uses.
  return { data, scale: scale.map((s) => Math.fround(s)) };
}

/** Quantizes a weight tensor in place: one scale per output channel, or one for the tensor. */
function quantizeWeights(graph: GraphSpec, index: number, perChannel: boolean): number[] {
  const t = graph.tensors[index];
  const channels = perChannel ? t.shape[0] : 1;
  const { data, scale } = quantizePerChannel(floats(t), channels);
  graph.tensors[index] = {
    ...t,
    type: TensorType.INT8,
    data: new Uint8Array(data.buffer),
    quantization: { scale, zeroPoint: scale.map(() => 0), quantizedDimension: 0 },
  };
  return scale;
}

function toDynamicRange(source: GraphSpec, perChannel: boolean): GraphSpec {
  const graph = copyGraph(source);
  const done = new Set<number>();
  for (const op of graph.operators) {
    if (!exportOp(op.op)?.hybrid) continue;
    const index = op.inputs[1];
    if (!done.has(index)) quantizeWeights(graph, index, perChannel);
    done.add(index);
  }
  return graph;
}

export interface Range {
  min: number;
  max: number;
}

/** Runs the calibration inputs through the float graph; min/max of every activation tensor. */
export function calibrate(graph: GraphSpec, inputs: Float32Array[]): Map<number, Range> {
  const interpreter = new ReferenceInterpreter(graph);
  const ranges = new Map<number, Range>();
  const activations = graph.tensors.flatMap((t, i) => (t.data ? [] : [i]));
  for (const input of inputs) {
    const values = interpreter.run(input);
    for (const i of activations) {
      const v = values[i];
      let range = ranges.get(i);
      if (!range) {
        range = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
        ranges.set(i, range);
      }
      for (let k = 0; k < v.length; k++) {
        if (v[k] < range.min) range.min = v[k];
        if (v[k] > range.max) range.max = v[k];
      }
    }
  }
  return ranges;
}

/** Asymmetric int8 parameters for a range, widened to include 0 so that 0 is exact. */
export function activationParams(range: Range): QuantizationSpec {
  const min = Math.min(0, range.min);
  const max = Math.max(0, range.max, min + 1e-6);
  const scale = Math.fround((max - min) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - min / scale)));
  return { scale: [scale], zeroPoint: [zeroPoint], min: [range.min], max: [range.max] };
}

function toInt8(
  source: GraphSpec,
  ranges: Map<number, Range>,
  options: QuantizeOptions,
): GraphSpec {
  const graph = copyGraph(source);
  const params = new Map<number, QuantizationSpec>();
  const floatInput = graph.inputs[0];
  const floatOutput = graph.outputs[0];
  const pass: Int8Pass = {
    graph,
    params,
    perChannelDense: options.perChannelDense === true,
    calibrated: (tensor) => activationParams(ranges.get(tensor)!),
    quantizeWeightsAndBias(op, perChannel) {
      const weightScale = quantizeWeights(graph, op.inputs[1], perChannel);
      const biasIndex = op.inputs[2];
      if (biasIndex < 0) return;
      const bias = graph.tensors[biasIndex];
      const inParams = params.get(op.inputs[0])!;
      const scale = weightScale.map((s) => inParams.scale[0] * s);
      const values = floats(bias);
      graph.tensors[biasIndex] = {
        ...bias,
        type: TensorType.INT32,
        data: int32Bytes(Array.from(values, (v, c) => Math.round(v / scale[perChannel ? c : 0]))),
        quantization: { scale, zeroPoint: scale.map(() => 0), quantizedDimension: 0 },
      };
    },
  };

  // The int8 twin of the float input, fed by QUANTIZE.
  const inputT = graph.tensors[floatInput];
  const qInput = addTensor(graph, {
    name: `${inputT.name}_int8`,
    shape: inputT.shape.slice(),
    type: TensorType.INT8,
  });
  params.set(qInput, pass.calibrated(floatInput));
  const quantizeOp = quantizeOperator(floatInput, qInput);
  const renamed = new Map<number, number>([[floatInput, qInput]]);
  const rewire = (i: number) => renamed.get(i) ?? i;

  for (const op of graph.operators) {
    op.inputs = op.inputs.map(rewire);
    const int8 = exportOp(op.op)?.int8;
    if (!int8) throw new Error(`int8 quantization: unsupported op ${op.op}`);
    int8(op, pass);
  }

  for (const [index, q] of params) {
    graph.tensors[index] = { ...graph.tensors[index], type: TensorType.INT8, quantization: q };
  }

  // The last op now writes an int8 twin; DEQUANTIZE turns it back into the float output (or,
  // for uint8 I/O, QUANTIZE requantizes it to uint8).
  const last = graph.operators[graph.operators.length - 1];
  const outT = graph.tensors[floatOutput];
  const qOutput = addTensor(graph, {
    ...outT,
    name: `${outT.name}_int8`,
    shape: outT.shape.slice(),
  });
  last.outputs = last.outputs.map((o) => (o === floatOutput ? qOutput : o));
  const uint8 = options.io === "uint8";
  graph.tensors[floatOutput] = {
    name: outT.name,
    shape: outT.shape.slice(),
    type: uint8 ? TensorType.UINT8 : TensorType.FLOAT32,
    ...(uint8 ? { quantization: asUint8(graph.tensors[qOutput].quantization!) } : {}),
  };
  if (uint8) {
    graph.tensors[floatInput] = {
      ...graph.tensors[floatInput],
      type: TensorType.UINT8,
      quantization: asUint8(params.get(qInput)!),
    };
  }
  const lastOp = uint8
    ? quantizeOperator(qOutput, floatOutput)
    : dequantizeOperator(qOutput, floatOutput);
  graph.operators = [quantizeOp, ...graph.operators, lastOp];
  return graph;
}

/** The uint8 tensor that holds the same real values as an int8 one: same scale, zero point + 128. */
function asUint8(q: QuantizationSpec): QuantizationSpec {
  return { ...q, zeroPoint: q.zeroPoint.map((z) => z + 128) };
}
