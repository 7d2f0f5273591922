import { float32Bytes, type GraphSpec, int32Bytes, ownBuffer } from "../../tflite/graph.ts";
import { BuiltinOperator, TensorType } from "../../tflite/schema.ts";
import { activation } from "./activation.ts";
import { constant, type ExportOp, type LayerSource } from "./op.ts";
import { convolveReference, type WindowShapes, windowLayer } from "./window.ts";

/**
 * DepthwiseConv2D → DEPTHWISE_CONV_2D. TF.js (like Keras) stores the kernel [h, w, channels,
 * multiplier]; TFLite wants [1, h, w, channels × multiplier] with output channel
 * c · multiplier + m — the same values in the same order, so only the shape changes.
 */
function convertDepthwise(graph: GraphSpec, layer: LayerSource, input: number): number {
  const { name } = layer;
  const [kernel, bias] = layer.weights;
  const [kh, kw, channels, multiplier] = kernel.shape;
  const outC = channels * multiplier;
  const filter = constant(graph, {
    name: `${name}/depthwise_kernel`,
    shape: [1, kh, kw, outC],
    data: float32Bytes(kernel.values),
  });
  const b = bias
    ? constant(graph, { name: `${name}/bias`, shape: [outC], data: float32Bytes(bias.values) })
    : -1;
  const { options, out, after } = windowLayer(graph, layer, input, [kh, kw, outC]);
  graph.operators.push({
    op: BuiltinOperator.DEPTHWISE_CONV_2D,
    // Version 2 is the first with dilation.
    version: options.dilationH > 1 || options.dilationW > 1 ? 2 : 1,
    inputs: [input, filter, b],
    outputs: [out],
    options: { kind: "depthwiseConv2d", ...options, depthMultiplier: multiplier },
  });
  return activation(graph, out, after, name);
}

export const depthwiseConv2dOp: ExportOp = {
  code: BuiltinOperator.DEPTHWISE_CONV_2D,
  layers: { DepthwiseConv2D: convertDepthwise },
  reference(op, values, shapeOf) {
    const o = op.options;
    if (o.kind !== "depthwiseConv2d") throw new Error("DEPTHWISE_CONV_2D without options");
    const x = values[op.inputs[0]];
    const w = values[op.inputs[1]];
    const b = op.inputs[2] >= 0 ? values[op.inputs[2]] : undefined;
    const [, inH, inW, inC] = shapeOf(op.inputs[0]);
    const [, kh, kw, outC] = shapeOf(op.inputs[1]);
    const [, outH, outW] = shapeOf(op.outputs[0]);
    const m = o.depthMultiplier;
    const shapes: WindowShapes = {
      input: [inH, inW, inC],
      output: [outH, outW, outC],
      kernel: [kh, kw],
    };
    // Output channel c reads input channel ⌊c / m⌋; filter [1, h, w, out].
    return convolveReference(
      o,
      shapes,
      b,
      (sum, xBase, k, c) => sum + x[xBase + Math.floor(c / m)] * w[k * outC + c],
    );
  },
  weightInputs: [1, 2],
  int8(op, pass) {
    // Per-channel scales run along the filter's last axis (quantized_dimension 3), as TFLite's
    // int8 DEPTHWISE_CONV_2D kernel wants; the bias scale is input scale × weight scale.
    const { graph } = pass;
    const wIndex = op.inputs[1];
    const t = graph.tensors[wIndex];
    const values = new Float32Array(ownBuffer(t.data!));
    const outC = t.shape[3];
    const maxAbs = new Float64Array(outC);
    values.forEach((v, k) => {
      maxAbs[k % outC] = Math.max(maxAbs[k % outC], Math.abs(v));
    });
    const scale = Array.from(maxAbs, (a) => Math.fround(a > 0 ? a / 127 : 1));
    const q = Int8Array.from(values, (v, k) =>
      Math.max(-127, Math.min(127, Math.round(v / scale[k % outC]))),
    );
    graph.tensors[wIndex] = {
      ...t,
      type: TensorType.INT8,
      data: new Uint8Array(q.buffer),
      quantization: { scale, zeroPoint: scale.map(() => 0), quantizedDimension: 3 },
    };
    const biasIndex = op.inputs[2];
    if (biasIndex >= 0) {
      const bias = graph.tensors[biasIndex];
      const inScale = pass.params.get(op.inputs[0])!.scale[0];
      const biasScale = scale.map((s) => inScale * s);
      const b = new Float32Array(ownBuffer(bias.data!));
      graph.tensors[biasIndex] = {
        ...bias,
        type: TensorType.INT32,
        data: int32Bytes(Array.from(b, (v, c) => Math.round(v / biasScale[c]))),
        quantization: {
          scale: biasScale,
          zeroPoint: biasScale.map(() => 0),
          quantizedDimension: 0,
        },
      };
    }
    pass.params.set(op.outputs[0], pass.calibrated(op.outputs[0]));
    op.version = 3;
  },
};
