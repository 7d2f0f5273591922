import type { ActivationValue, PaddingValue } from "../schema.ts";
import { BuiltinOperator, BuiltinOptions, DepthwiseConv2DOptionsField as F } from "../schema.ts";
import {
  activationName,
  count,
  isHybrid,
  isInt8,
  type OpFormat,
  operands,
  paddingName,
  windowOut,
} from "./format.ts";

export interface DepthwiseConv2dOptions {
  kind: "depthwiseConv2d";
  padding: PaddingValue;
  strideW: number;
  strideH: number;
  depthMultiplier: number;
  activation: ActivationValue;
  dilationW: number;
  dilationH: number;
}

/** DEPTHWISE_CONV_2D: NHWC input, filter [1, h, w, channels × multiplier], a bias per output. */
export const depthwiseConv2dFormat: OpFormat<DepthwiseConv2dOptions> = {
  code: BuiltinOperator.DEPTHWISE_CONV_2D,
  options: {
    kind: "depthwiseConv2d",
    type: BuiltinOptions.DepthwiseConv2DOptions,
    write(b, options) {
      b.startObject(F.count);
      b.addFieldInt8(F.padding, options.padding, 0);
      b.addFieldInt32(F.stride_w, options.strideW, 0);
      b.addFieldInt32(F.stride_h, options.strideH, 0);
      b.addFieldInt32(F.depth_multiplier, options.depthMultiplier, 0);
      b.addFieldInt8(F.fused_activation_function, options.activation, 0);
      b.addFieldInt32(F.dilation_w_factor, options.dilationW, 1);
      b.addFieldInt32(F.dilation_h_factor, options.dilationH, 1);
      return b.endObject();
    },
    read: (t) => ({
      padding: paddingName(t, F.padding),
      stride: [t.int32(F.stride_h), t.int32(F.stride_w)],
      dilation: [t.int32(F.dilation_h_factor, 1), t.int32(F.dilation_w_factor, 1)],
      depthMultiplier: t.int32(F.depth_multiplier),
      activation: activationName(t, F.fused_activation_function),
    }),
  },
  checkShapes(graph, op) {
    const { x, y, tensor, missing } = operands(graph, op, 2);
    const w = tensor(op.inputs[1]);
    if (missing || !x || !y || !w) return missing ?? "has no filter";
    if (x.shape.length !== 4 || w.shape.length !== 4 || y.shape.length !== 4) {
      return "input, filter and output must have rank 4";
    }
    const [one, kh, kw, outC] = w.shape;
    const inC = x.shape[3];
    if (one !== 1 || inC === 0 || outC % inC !== 0) {
      return `filter [${w.shape}] does not fit ${inC} input channels`;
    }
    if (y.shape[3] !== outC || y.shape[0] !== x.shape[0]) return "output batch or channels differ";
    const bias = tensor(op.inputs[2]);
    if (bias && count(bias) !== outC) return `bias has ${count(bias)} values for ${outC} outputs`;
    const [sh, sw] = (op.options.stride as number[]) ?? [0, 0];
    const [dh, dw] = (op.options.dilation as number[]) ?? [1, 1];
    if (!(sh > 0 && sw > 0 && dh > 0 && dw > 0)) return "strides and dilations must be positive";
    const same = op.options.padding === "SAME";
    if (
      y.shape[1] !== windowOut(x.shape[1], kh, sh, dh, same) ||
      y.shape[2] !== windowOut(x.shape[2], kw, sw, dw, same)
    ) {
      return `output [${y.shape}] does not follow from input [${x.shape}]`;
    }
    return undefined;
  },
  version(sig) {
    if (isInt8(sig)) return 3;
    if (isHybrid(sig)) return 6;
    // Dilation: written options carry dilationW/H, read ones a [h, w] pair.
    const o = sig.options as { dilationW?: number; dilationH?: number; dilation?: number[] };
    const dilation = o.dilation ?? [o.dilationH ?? 1, o.dilationW ?? 1];
    return dilation.some((d) => d > 1) ? 2 : 1;
  },
  runtimeVersions: { 1: "1.5.0", 2: "1.12.0", 3: "1.14.0", 4: "2.2.0", 5: "2.3.0", 6: "2.3.0" },
};
