import { addTensor, elementCount, type GraphSpec, int32Bytes } from "../../tflite/graph.ts";
import { BuiltinOperator, TensorType } from "../../tflite/schema.ts";
import { type ExportOp, type LayerConverter, outputTensor } from "./op.ts";

/** RESHAPE with its shape both as the (constant int32) second input and in the options. */
export function addReshape(graph: GraphSpec, input: number, shape: number[], name: string): number {
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

/** A Keras target shape (without the batch, -1 for the one inferred) for batch size 1. */
function resolveShape(inShape: number[], target: number[]): number[] {
  const total = elementCount(inShape);
  const known = target.filter((d) => d !== -1 && d !== null).reduce((a, b) => a * b, 1);
  return [1, ...target.map((d) => (d === -1 || d === null ? total / known : d))];
}

const flatten: LayerConverter = (graph, layer, input) =>
  addReshape(graph, input, [1, elementCount(graph.tensors[input].shape)], layer.name);

const reshape: LayerConverter = (graph, layer, input) => {
  const target = (layer.config.targetShape as number[]).slice();
  return addReshape(graph, input, resolveShape(graph.tensors[input].shape, target), layer.name);
};

export const reshapeOp: ExportOp = {
  code: BuiltinOperator.RESHAPE,
  layers: { Flatten: flatten, Reshape: reshape },
  reference: (op, values) => values[op.inputs[0]],
  int8(op, pass) {
    pass.params.set(op.outputs[0], pass.params.get(op.inputs[0])!); // same values, same scale
  },
};
