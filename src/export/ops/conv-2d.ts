import { float32Bytes, type GraphSpec } from "../../tflite/graph.ts";
import { padBefore, windowOut } from "../../tflite/ops/format.ts";
import { BuiltinOperator, Padding, type PaddingValue } from "../../tflite/schema.ts";
import { UserError } from "../../util/errors.ts";
import { activation, applyFused, fusedSuffix, splitActivation } from "./activation.ts";
import { constant, type ExportOp, type LayerSource, outputTensor, pair } from "./op.ts";

export function paddingOf(layer: LayerSource): PaddingValue {
  if (layer.config.padding === "same") return Padding.SAME;
  if (layer.config.padding === "valid") return Padding.VALID;
  throw new UserError(`layer "${layer.name}": padding "${layer.config.padding}" is not supported`);
}

/** Conv2D → CONV_2D, filters reordered from TF.js's HWIO to TFLite's OHWI. */
function convertConv2d(graph: GraphSpec, layer: LayerSource, input: number): number {
  const { name, config } = layer;
  if (config.dataFormat && config.dataFormat !== "channelsLast") {
    throw new UserError(`layer "${name}": only channelsLast convolutions are supported`);
  }
  const inShape = graph.tensors[input].shape;
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
  const [strideH, strideW] = pair(config.strides ?? 1);
  const [dilationH, dilationW] = pair(config.dilationRate ?? 1);
  const pad = paddingOf(layer);
  const same = pad === Padding.SAME;
  const { fused, after } = splitActivation(config);
  const outShape = [
    1,
    windowOut(inShape[1], kh, strideH, dilationH, same),
    windowOut(inShape[2], kw, strideW, dilationW, same),
    outC,
  ];
  const out = outputTensor(graph, `${name}/${fusedSuffix(fused)}`, outShape);
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
    const same = o.padding === Padding.SAME;
    const padTop = padBefore(same, inH, kh, o.strideH, o.dilationH, outH);
    const padLeft = padBefore(same, inW, kw, o.strideW, o.dilationW, outW);
    const out = new Float32Array(outH * outW * outC);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < outC; c++) {
          let sum = b ? b[c] : 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * o.strideH + ky * o.dilationH - padTop;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * o.strideW + kx * o.dilationW - padLeft;
              if (ix < 0 || ix >= inW) continue;
              const xBase = (iy * inW + ix) * inC;
              const wBase = ((c * kh + ky) * kw + kx) * inC;
              for (let ic = 0; ic < inC; ic++) sum += x[xBase + ic] * w[wBase + ic];
            }
          }
          out[(oy * outW + ox) * outC + c] = sum;
        }
      }
    }
    return applyFused(out, o.activation);
  },
  weightInputs: [1, 2],
  hybridVersion: 2,
  int8(op, pass) {
    pass.quantizeWeightsAndBias(op, true);
    pass.params.set(op.outputs[0], pass.calibrated(op.outputs[0]));
    op.version = 3;
  },
};
