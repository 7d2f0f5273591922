// Digit models of every kind a user may bring, made in the test from the shipped MLP's weights
// (so each one really reads digits): logits instead of probabilities, other input layouts and
// sizes, integer input and output, an output written without a shape, and kinds to refuse.
import { readFileSync } from "node:fs";
import { FlatView } from "../../src/tflite/flat-view.ts";
import type { GraphSpec, TensorSpec } from "../../src/tflite/graph.ts";
import { readTflite } from "../../src/tflite/reader.ts";
import {
  Activation,
  BuiltinOperator,
  ModelField,
  Padding,
  SubGraphField,
  TensorField,
  TensorType,
} from "../../src/tflite/schema.ts";
import { serializeGraph } from "../../src/tflite/writer.ts";

export const SHIPPED_MLP = "models/mnist_mlp.tflite";

/** The shipped MLP as a GraphSpec: x → FC relu → FC relu → FC → softmax (tensors 0–10). */
export function mlpGraph(): GraphSpec {
  const file = readTflite(new Uint8Array(readFileSync(SHIPPED_MLP)));
  const graph = file.subgraphs[0];
  const tensors: TensorSpec[] = graph.tensors.map((t) => ({
    name: t.name,
    shape: [...t.shape],
    type: t.type as TensorSpec["type"],
    ...(t.data ? { data: t.data.slice() } : {}),
  }));
  const fc = (inputs: number[], output: number, relu: boolean) => ({
    op: BuiltinOperator.FULLY_CONNECTED,
    version: 1,
    inputs,
    outputs: [output],
    options: {
      kind: "fullyConnected" as const,
      activation: relu ? Activation.RELU : Activation.NONE,
    },
  });
  return {
    description: "test variant of the shipped MLP",
    tensors,
    inputs: [0],
    outputs: [10],
    operators: [
      fc([0, 1, 2], 3, true),
      fc([3, 4, 5], 6, true),
      fc([6, 7, 8], 9, false),
      {
        op: BuiltinOperator.SOFTMAX,
        version: 1,
        inputs: [9],
        outputs: [10],
        options: { kind: "softmax", beta: 1 },
      },
    ],
  };
}

/** The same network ending in its last FULLY_CONNECTED: it outputs logits. */
export function logitsGraph(): GraphSpec {
  const graph = mlpGraph();
  graph.operators.pop();
  graph.outputs = [9];
  return graph;
}

/** The input reshaped (FULLY_CONNECTED flattens any input itself). */
export function withInputShape(graph: GraphSpec, shape: number[]): GraphSpec {
  graph.tensors[graph.inputs[0]].shape = shape;
  return graph;
}

/** An image input of side 2×28, max-pooled 2×2 down to the 28×28 the MLP takes. */
export function largeInputGraph(side = 56): GraphSpec {
  const graph = mlpGraph();
  const large = graph.tensors.push({ name: "large", shape: [1, side, side, 1], type: 0 }) - 1;
  graph.tensors[0].shape = [1, 28, 28, 1];
  const stride = side / 28;
  graph.operators.unshift({
    op: BuiltinOperator.MAX_POOL_2D,
    version: 1,
    inputs: [large],
    outputs: [0],
    options: {
      kind: "pool2d",
      padding: Padding.VALID,
      strideW: stride,
      strideH: stride,
      filterW: stride,
      filterH: stride,
      activation: Activation.NONE,
    },
  });
  graph.inputs = [large];
  return graph;
}

/** The first layer's weights divided by 255: a model fed 0–255 pixels. */
export function byteInputGraph(): GraphSpec {
  const graph = mlpGraph();
  const kernel = graph.tensors[1];
  const data = kernel.data as Uint8Array;
  const weights = new Float32Array(data.buffer, data.byteOffset, data.length / 4);
  for (let i = 0; i < weights.length; i++) weights[i] /= 255;
  return graph;
}

/**
 * Integer input and output (the full-integer converter's I/O): the float network between a
 * DEQUANTIZE of the input and a QUANTIZE of the softmax, with the converter's usual parameters.
 */
export function integerIoGraph(type: "int8" | "uint8"): GraphSpec {
  const graph = mlpGraph();
  const tensorType = type === "int8" ? TensorType.INT8 : TensorType.UINT8;
  const zero = type === "int8" ? -128 : 0;
  const qIn = graph.tensors.push({
    name: "input_q",
    shape: [1, 784],
    type: tensorType,
    quantization: { scale: [1 / 255], zeroPoint: [zero] },
  });
  const qOut = graph.tensors.push({
    name: "output_q",
    shape: [1, 10],
    type: tensorType,
    quantization: { scale: [1 / 256], zeroPoint: [zero] },
  });
  graph.operators.unshift({
    op: BuiltinOperator.DEQUANTIZE,
    version: 2,
    inputs: [qIn - 1],
    outputs: [0],
    options: { kind: "dequantize" },
  });
  graph.operators.push({
    op: BuiltinOperator.QUANTIZE,
    version: 2,
    inputs: [10],
    outputs: [qOut - 1],
    options: { kind: "quantize" },
  });
  graph.inputs = [qIn - 1];
  graph.outputs = [qOut - 1];
  return graph;
}

/** Ten outputs cut to nine: not a digit classifier. */
export function nineClassGraph(): GraphSpec {
  const graph = mlpGraph();
  const [kernel, bias] = [graph.tensors[7], graph.tensors[8]];
  kernel.shape = [9, 512];
  kernel.data = (kernel.data as Uint8Array).slice(0, 9 * 512 * 4);
  bias.shape = [9];
  bias.data = (bias.data as Uint8Array).slice(0, 9 * 4);
  graph.tensors[9].shape = [1, 9];
  graph.tensors[10].shape = [1, 9];
  return graph;
}

/** A second input added beside the image (as a model taking a mask or a flag would). */
export function twoInputGraph(): GraphSpec {
  const graph = mlpGraph();
  const extra = graph.tensors.push({ name: "flag", shape: [1, 1], type: 0 }) - 1;
  graph.inputs = [0, extra];
  return graph;
}

export function bytesOf(graph: GraphSpec): Uint8Array {
  return serializeGraph(graph);
}

/** A copy of a model whose output tensor is written without a shape (an empty shape vector). */
export function withoutOutputShape(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const view = new FlatView(copy);
  const subgraph = view.tables(view.root(), ModelField.subgraphs)[0];
  const outputs = view.vector(subgraph, SubGraphField.outputs, 4);
  const output = view.i32(outputs.start);
  const tensor = view.tables(subgraph, SubGraphField.tensors)[output];
  const shape = view.target(tensor, TensorField.shape);
  new DataView(copy.buffer).setUint32(shape, 0, true);
  return copy;
}

/** An RGB input [1,28,28,3]: each first-layer weight split in thirds over the three channels. */
export function rgbInputGraph(): GraphSpec {
  const graph = mlpGraph();
  const kernel = graph.tensors[1];
  const data = kernel.data as Uint8Array;
  const weights = new Float32Array(data.slice().buffer);
  const [units, inputs] = kernel.shape;
  const split = new Float32Array(units * inputs * 3);
  for (let u = 0; u < units; u++) {
    for (let p = 0; p < inputs; p++) {
      for (let c = 0; c < 3; c++) split[(u * inputs + p) * 3 + c] = weights[u * inputs + p] / 3;
    }
  }
  kernel.shape = [units, inputs * 3];
  kernel.data = new Uint8Array(split.buffer);
  graph.tensors[0].shape = [1, 28, 28, 3];
  return graph;
}
