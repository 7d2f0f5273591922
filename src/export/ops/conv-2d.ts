import { float32Bytes, type GraphSpec } from "../../tflite/graph.ts";
import { BuiltinOperator } from "../../tflite/schema.ts";
import { UserError } from "../../util/errors.ts";
import { activation } from "./activation.ts";
import { constant, type ExportOp, type LayerSource } from "./op.ts";
import { convolveReference, type WindowShapes, windowLayer } from "./window.ts";

/** Conv2D → CONV_2D, filters reordered from TF.js's HWIO to TFLite's OHWI. */
function convertConv2d(graph: GraphSpec, layer: LayerSource, input: number): number {
  const { name, config } = layer;
  if (config.dataFormat && config.dataFormat !== "channelsLast") {
    throw new UserError(`layer "${name}": only channelsLast convolutions are supported`);
  }
  const [kernel, bias] = layer.weights;
  const [kh, kw, inC, outC] = kernel.shape;
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
  const { options, out, after } = windowLayer(graph, layer, input, [kh, kw, outC]);
  graph.operators.push({
    op: BuiltinOperator.CONV_2D,
    version: 1,
    inputs: [input, filter, b],
    outputs: [out],
    options: { kind: "conv2d", ...options },
  });
  return activation(graph, out, after, name);
}

export const conv2dOp: ExportOp = {
  code: BuiltinOperator.CONV_2D,
  layers: { Conv2D: convertConv2d },
  reference(op, values, shapeOf) {
    const o = op.options;
    if (o.kind !== "conv2d") throw new Error("CONV_2D without options");
    const x = values[op.inputs[0]];
    const w = values[op.inputs[1]];
    const b = op.inputs[2] >= 0 ? values[op.inputs[2]] : undefined;
    const [, inH, inW, inC] = shapeOf(op.inputs[0]);
    const [outC, kh, kw] = shapeOf(op.inputs[1]);
    const [, outH, outW] = shapeOf(op.outputs[0]);
    const shapes: WindowShapes = {
      input: [inH, inW, inC],
      output: [outH, outW, outC],
      kernel: [kh, kw],
    };
    // Filter [out, h, w, in]: filter c's tap at kernel offset k starts at (c · kh · kw + k) · inC.
    return convolveReference(o, shapes, b, (sum, xBase, k, c) => {
      const wBase = (c * kh * kw + k) * inC;
      for (let ic = 0; ic < inC; ic++) sum += x[xBase + ic] * w[wBase + ic];
      return sum;
    });
  },
  weightInputs: [1, 2],
  hybrid: true,
  int8(op, pass) {
    pass.quantizeWeightsAndBias(op, true);
    pass.params.set(op.outputs[0], pass.calibrated(op.outputs[0]));
  },
};
