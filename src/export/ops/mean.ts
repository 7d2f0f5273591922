import { addTensor, type GraphSpec, int32Bytes } from "../../tflite/graph.ts";
import { BuiltinOperator, TensorType } from "../../tflite/schema.ts";
import { type ExportOp, type LayerSource, outputTensor } from "./op.ts";

/** GlobalAveragePooling2D → MEAN over axes 1 and 2 (height, width) of NHWC, as TF's converter does. */
function convertGlobalAveragePool(graph: GraphSpec, layer: LayerSource, input: number): number {
  const [, , , channels] = graph.tensors[input].shape;
  const keepDims = layer.config.keepDims === true;
  const axes = addTensor(graph, {
    name: `${layer.name}/axes`,
    shape: [2],
    type: TensorType.INT32,
    data: int32Bytes([1, 2]),
  });
  const out = outputTensor(
    graph,
    `${layer.name}/Mean`,
    keepDims ? [1, 1, 1, channels] : [1, channels],
  );
  graph.operators.push({
    op: BuiltinOperator.MEAN,
    version: 1,
    inputs: [input, axes],
    outputs: [out],
    options: { kind: "reducer", keepDims },
  });
  return out;
}

export const meanOp: ExportOp = {
  code: BuiltinOperator.MEAN,
  layers: { GlobalAveragePooling2D: convertGlobalAveragePool },
  reference(op, values, shapeOf) {
    const x = values[op.inputs[0]];
    const [, h, w, channels] = shapeOf(op.inputs[0]);
    const out = new Float32Array(channels);
    for (let p = 0; p < h * w; p++)
      for (let c = 0; c < channels; c++) out[c] += x[p * channels + c];
    for (let c = 0; c < channels; c++) out[c] /= h * w;
    return out;
  },
  int8(op, pass) {
    pass.params.set(op.outputs[0], pass.calibrated(op.outputs[0]));
    op.version = 2;
  },
};
