import type { GraphSpec, QuantizationSpec } from "../../tflite/graph.ts";
import { BuiltinOperator } from "../../tflite/schema.ts";
import { softmax } from "../../util/softmax.ts";
import { type ExportOp, outputTensor } from "./op.ts";

/** SOFTMAX after the last layer (its own op: TFLite does not fuse it). */
export function addSoftmax(graph: GraphSpec, input: number, layer: string): number {
  const out = outputTensor(graph, `${layer}/Softmax`, graph.tensors[input].shape);
  graph.operators.push({
    op: BuiltinOperator.SOFTMAX,
    version: 1,
    inputs: [input],
    outputs: [out],
    options: { kind: "softmax", beta: 1 },
  });
  return out;
}

/** TFLite's int8 SOFTMAX kernel requires exactly these output parameters. */
const SOFTMAX_OUTPUT: QuantizationSpec = { scale: [1 / 256], zeroPoint: [-128] };

export const softmaxOp: ExportOp = {
  code: BuiltinOperator.SOFTMAX,
  reference(op, values) {
    const beta = op.options.kind === "softmax" ? op.options.beta : 1;
    return softmax(values[op.inputs[0]], beta);
  },
  int8(op, pass) {
    pass.params.set(op.outputs[0], SOFTMAX_OUTPUT);
    op.version = 2;
  },
};
