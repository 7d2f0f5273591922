import type { GraphSpec } from "../../tflite/graph.ts";
import { Activation, BuiltinOperator } from "../../tflite/schema.ts";
import { applyFused } from "./activation.ts";
import { type ExportOp, outputTensor } from "./op.ts";

/** RELU / RELU6 as ops of their own (an `Activation` layer that follows no fusable op). */
export function addRelu(graph: GraphSpec, input: number, layer: string, six: boolean): number {
  const out = outputTensor(graph, `${layer}/${six ? "Relu6" : "Relu"}`, graph.tensors[input].shape);
  graph.operators.push({
    op: six ? BuiltinOperator.RELU6 : BuiltinOperator.RELU,
    version: 1,
    inputs: [input],
    outputs: [out],
    options: { kind: "none" },
  });
  return out;
}

function reluFamily(code: number, fused: number): ExportOp {
  return {
    code,
    reference: (op, values) => applyFused(Float32Array.from(values[op.inputs[0]]), fused),
    int8(op, pass) {
      pass.params.set(op.outputs[0], pass.calibrated(op.outputs[0]));
      op.version = 2;
    },
  };
}

export const reluOp = reluFamily(BuiltinOperator.RELU, Activation.RELU);
export const relu6Op = reluFamily(BuiltinOperator.RELU6, Activation.RELU6);
