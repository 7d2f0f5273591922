import type { GraphSpec } from "../../tflite/graph.ts";
import { BuiltinOperator } from "../../tflite/schema.ts";
import { type ExportOp, type LayerSource, outputTensor } from "./op.ts";

/** LeakyReLU → LEAKY_RELU with its alpha (TF.js `alpha`, Keras 3 `negative_slope`). */
function convertLeakyRelu(graph: GraphSpec, layer: LayerSource, input: number): number {
  const alpha = Math.fround(Number(layer.config.alpha ?? 0.3));
  const out = outputTensor(graph, `${layer.name}/LeakyRelu`, graph.tensors[input].shape);
  graph.operators.push({
    op: BuiltinOperator.LEAKY_RELU,
    version: 1,
    inputs: [input],
    outputs: [out],
    options: { kind: "leakyRelu", alpha },
  });
  return out;
}

export const leakyReluOp: ExportOp = {
  code: BuiltinOperator.LEAKY_RELU,
  layers: { LeakyReLU: convertLeakyRelu },
  reference(op, values) {
    const alpha = op.options.kind === "leakyRelu" ? op.options.alpha : 0.3;
    return Float32Array.from(values[op.inputs[0]], (v) => (v >= 0 ? v : alpha * v));
  },
  int8(op, pass) {
    pass.params.set(op.outputs[0], pass.calibrated(op.outputs[0]));
    op.version = 2;
  },
};
