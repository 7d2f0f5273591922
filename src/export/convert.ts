import type { LayersModel } from "@tensorflow/tfjs-layers";
import {
  addTensor,
  elementCount,
  float32Bytes,
  type GraphSpec,
  int32Bytes,
  type TensorSpec,
} from "../tflite/graph.ts";
import {
  Activation,
  type ActivationValue,
  BuiltinOperator,
  Padding,
  type PaddingValue,
  TensorType,
} from "../tflite/schema.ts";
import { UserError } from "../util/errors.ts";

/**
 * Converts a TF.js sequential Layers model into a float32 TFLite graph, batch size 1.
 *
 * Layer by layer: Dense → FULLY_CONNECTED (weights transposed to TFLite's [units, inputs]),
 * Conv2D → CONV_2D (filters reordered from TF.js's HWIO to TFLite's OHWI), MaxPooling2D →
 * MAX_POOL_2D, Flatten/Reshape → RESHAPE, Dropout → nothing (identity at inference). ReLU and
 * ReLU6 are fused into the op before them, as TFLite's converter does; softmax becomes a SOFTMAX
 * op of its own. The CNN keeps its NHWC input [1,28,28,1]; its 784 values are laid out exactly
 * like the MLP's [1,784] input, so one input array feeds either.
 */
export function convertLayersModel(model: LayersModel, description = ""): GraphSpec {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError("only models with one input and one output can be exported");
  }
  const graph: GraphSpec = { tensors: [], operators: [], inputs: [], outputs: [], description };
  const inputShape = [1, ...model.inputs[0].shape.slice(1).map((d) => d ?? 1)];
  let current = addTensor(graph, {
    name: model.inputs[0].name.replace(/:\d+$/, ""),
    shape: inputShape,
    type: TensorType.FLOAT32,
  });
  graph.inputs.push(current);

  for (const layer of model.layers) {
    const className = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const name = layer.name;
    switch (className) {
      case "InputLayer":
      case "Dropout":
      case "SpatialDropout1D":
      case "GaussianNoise":
      case "GaussianDropout":
        break; // identity at inference
      case "Dense":
        current = convertDense(graph, layer.getWeights().map(readTensor), config, name, current);
        break;
      case "Conv2D":
        current = convertConv2d(graph, layer.getWeights().map(readTensor), config, name, current);
        break;
      case "MaxPooling2D":
        current = convertMaxPool(graph, config, name, current);
        break;
      case "Flatten":
        current = reshape(graph, current, [1, elementCount(graph.tensors[current].shape)], name);
        break;
      case "Reshape": {
        const target = (config.targetShape as number[]).slice();
        current = reshape(graph, current, resolveShape(graph.tensors[current].shape, target), name);
        break;
      }
      case "Activation":
        current = activation(graph, current, String(config.activation), name, true);
        break;
      default:
        throw new UserError(`cannot export layer "${name}" of type ${className} to TFLite`);
    }
  }
  graph.outputs.push(current);
  return graph;
}

interface WeightArray {
  shape: number[];
  values: Float32Array;
}

function readTensor(t: { shape: number[]; dataSync(): unknown }): WeightArray {
  return { shape: t.shape.slice(), values: new Float32Array(t.dataSync() as Float32Array) };
}

function outputTensor(graph: GraphSpec, name: string, shape: number[]): number {
  return addTensor(graph, { name, shape, type: TensorType.FLOAT32 });
}

function constant(graph: GraphSpec, spec: Omit<TensorSpec, "type">): number {
  return addTensor(graph, { ...spec, type: TensorType.FLOAT32 });
}

/** Activations TFLite fuses into FULLY_CONNECTED / CONV_2D. */
function fusedActivation(name: string): ActivationValue | undefined {
  switch (name) {
    case "linear":
      return Activation.NONE;
    case "relu":
      return Activation.RELU;
    case "relu6":
      return Activation.RELU6;
    default:
      return undefined;
  }
}

/** Adds the op for an activation that could not be fused (softmax); returns its output. */
function activation(
  graph: GraphSpec,
  input: number,
  name: string,
  layer: string,
  allowFusable = false,
): number {
  const shape = graph.tensors[input].shape;
  if (name === "softmax") {
    const out = outputTensor(graph, `${layer}/Softmax`, shape);
    graph.operators.push({
      op: BuiltinOperator.SOFTMAX,
      version: 1,
      inputs: [input],
      outputs: [out],
      options: { kind: "softmax", beta: 1 },
    });
    return out;
  }
  if (name === "linear") return input;
  if (allowFusable && (name === "relu" || name === "relu6")) {
    const op = name === "relu" ? BuiltinOperator.RELU : BuiltinOperator.RELU6;
    const out = outputTensor(graph, `${layer}/${name === "relu" ? "Relu" : "Relu6"}`, shape);
    graph.operators.push({
      op,
      version: 1,
      inputs: [input],
      outputs: [out],
      options: { kind: "none" },
    });
    return out;
  }
  throw new UserError(`cannot export activation "${name}" of layer "${layer}" to TFLite`);
}

function splitActivation(config: Record<string, unknown>): {
  fused: ActivationValue;
  after: string;
} {
  const name = String(config.activation ?? "linear");
  const fused = fusedActivation(name);
  return fused === undefined ? { fused: Activation.NONE, after: name } : { fused, after: "linear" };
}

function convertDense(
  graph: GraphSpec,
  weights: WeightArray[],
  config: Record<string, unknown>,
  name: string,
  input: number,
): number {
  const inShape = graph.tensors[input].shape;
  if (inShape.length !== 2) {
    throw new UserError(
      `layer "${name}": Dense on a rank-${inShape.length} input is not supported`,
    );
  }
  const [kernel, bias] = weights;
  const [inputs, units] = kernel.shape;
  // TF.js stores [inputs, units]; TFLite's FULLY_CONNECTED wants [units, inputs].
  const transposed = new Float32Array(units * inputs);
  for (let i = 0; i < inputs; i++) {
    for (let u = 0; u < units; u++) transposed[u * inputs + i] = kernel.values[i * units + u];
  }
  const w = constant(graph, {
    name: `${name}/kernel`,
    shape: [units, inputs],
    data: float32Bytes(transposed),
  });
  const b = bias
    ? constant(graph, { name: `${name}/bias`, shape: [units], data: float32Bytes(bias.values) })
    : -1;
  const { fused, after } = splitActivation(config);
  const suffix =
    fused === Activation.RELU ? "Relu" : fused === Activation.RELU6 ? "Relu6" : "BiasAdd";
  const out = outputTensor(graph, `${name}/${suffix}`, [1, units]);
  graph.operators.push({
    op: BuiltinOperator.FULLY_CONNECTED,
    version: 1,
    inputs: [input, w, b],
    outputs: [out],
    options: { kind: "fullyConnected", activation: fused },
  });
  return activation(graph, out, after, name);
}

function padding(config: Record<string, unknown>, name: string): PaddingValue {
  if (config.padding === "same") return Padding.SAME;
  if (config.padding === "valid") return Padding.VALID;
  throw new UserError(`layer "${name}": padding "${config.padding}" is not supported`);
}

function pair(value: unknown): [number, number] {
  return Array.isArray(value) ? [value[0], value[1]] : [Number(value), Number(value)];
}

function outSize(
  size: number,
  window: number,
  stride: number,
  dilation: number,
  pad: PaddingValue,
) {
  const effective = (window - 1) * dilation + 1;
  return pad === Padding.SAME
    ? Math.ceil(size / stride)
    : Math.floor((size - effective) / stride) + 1;
}

function convertConv2d(
  graph: GraphSpec,
  weights: WeightArray[],
  config: Record<string, unknown>,
  name: string,
  input: number,
): number {
  if (config.dataFormat && config.dataFormat !== "channelsLast") {
    throw new UserError(`layer "${name}": only channelsLast convolutions are supported`);
  }
  const inShape = graph.tensors[input].shape;
  const [kernel, bias] = weights;
  const [kh, kw, inC, outC] = kernel.shape;
  // TF.js stores HWIO; TFLite's CONV_2D wants OHWI.
  const ohwi = new Float32Array(kernel.values.length);
  for (let h = 0; h < kh; h++) {
    for (let w = 0; w < kw; w++) {
      for (let i = 0; i < inC; i++) {
        for (let o = 0; o < outC; o++) {
          ohwi[((o * kh + h) * kw + w) * inC + i] =
            kernel.values[((h * kw + w) * inC + i) * outC + o];
        }
      }
    }
  }
  const filter = constant(graph, {
    name: `${name}/kernel`,
    shape: [outC, kh, kw, inC],
    data: float32Bytes(ohwi),
  });
  const b = bias
    ? constant(graph, { name: `${name}/bias`, shape: [outC], data: float32Bytes(bias.values) })
    : -1;
  const [strideH, strideW] = pair(config.strides ?? 1);
  const [dilationH, dilationW] = pair(config.dilationRate ?? 1);
  const pad = padding(config, name);
  const { fused, after } = splitActivation(config);
  const outShape = [
    1,
    outSize(inShape[1], kh, strideH, dilationH, pad),
    outSize(inShape[2], kw, strideW, dilationW, pad),
    outC,
  ];
  const suffix =
    fused === Activation.RELU ? "Relu" : fused === Activation.RELU6 ? "Relu6" : "BiasAdd";
  const out = outputTensor(graph, `${name}/${suffix}`, outShape);
  graph.operators.push({
    op: BuiltinOperator.CONV_2D,
    version: 1,
    inputs: [input, filter, b],
    outputs: [out],
    options: {
      kind: "conv2d",
      padding: pad,
      strideW,
      strideH,
      activation: fused,
      dilationW,
      dilationH,
    },
  });
  return activation(graph, out, after, name);
}

function convertMaxPool(
  graph: GraphSpec,
  config: Record<string, unknown>,
  name: string,
  input: number,
): number {
  const inShape = graph.tensors[input].shape;
  const [filterH, filterW] = pair(config.poolSize ?? 2);
  const [strideH, strideW] = pair(config.strides ?? config.poolSize ?? 2);
  const pad = padding(config, name);
  const outShape = [
    1,
    outSize(inShape[1], filterH, strideH, 1, pad),
    outSize(inShape[2], filterW, strideW, 1, pad),
    inShape[3],
  ];
  const out = outputTensor(graph, `${name}/MaxPool`, outShape);
  graph.operators.push({
    op: BuiltinOperator.MAX_POOL_2D,
    version: 1,
    inputs: [input],
    outputs: [out],
    options: {
      kind: "pool2d",
      padding: pad,
      strideW,
      strideH,
      filterW,
      filterH,
      activation: Activation.NONE,
    },
  });
  return out;
}

function resolveShape(inShape: number[], target: number[]): number[] {
  const total = elementCount(inShape);
  const known = target.filter((d) => d !== -1 && d !== null).reduce((a, b) => a * b, 1);
  return [1, ...target.map((d) => (d === -1 || d === null ? total / known : d))];
}

/** RESHAPE with its shape both as the (constant int32) second input and in the options. */
function reshape(graph: GraphSpec, input: number, shape: number[], name: string): number {
  const shapeTensor = addTensor(graph, {
    name: `${name}/shape`,
    shape: [shape.length],
    type: TensorType.INT32,
    data: int32Bytes(shape),
  });
  const out = outputTensor(graph, `${name}/Reshape`, shape);
  graph.operators.push({
    op: BuiltinOperator.RESHAPE,
    version: 1,
    inputs: [input, shapeTensor],
    outputs: [out],
    options: { kind: "reshape", newShape: shape },
  });
  return out;
}
