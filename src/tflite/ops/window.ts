import type { Builder } from "flatbuffers";
import type { TfliteOperator, TfliteSubgraph, TfliteTensor } from "../reader.ts";
import type { ActivationValue, PaddingValue } from "../schema.ts";
import {
  activationName,
  count,
  type OptionsTable,
  operands,
  paddingName,
  windowOut,
} from "./format.ts";

/** The options CONV_2D and DEPTHWISE_CONV_2D share (their tables number them differently). */
export interface WindowOptions {
  padding: PaddingValue;
  strideW: number;
  strideH: number;
  activation: ActivationValue;
  dilationW: number;
  dilationH: number;
}

/** Where a table keeps the shared window options. */
interface WindowFields {
  padding: number;
  stride_w: number;
  stride_h: number;
  fused_activation_function: number;
  dilation_w_factor: number;
  dilation_h_factor: number;
}

/** Adds the shared window options to a table being built (between startObject and endObject). */
export function addWindowFields(b: Builder, f: WindowFields, options: WindowOptions): void {
  b.addFieldInt8(f.padding, options.padding, 0);
  b.addFieldInt32(f.stride_w, options.strideW, 0);
  b.addFieldInt32(f.stride_h, options.strideH, 0);
  b.addFieldInt8(f.fused_activation_function, options.activation, 0);
  b.addFieldInt32(f.dilation_w_factor, options.dilationW, 1);
  b.addFieldInt32(f.dilation_h_factor, options.dilationH, 1);
}

/** The shared window options as the reader reports them. */
export function readWindowFields(t: OptionsTable, f: WindowFields) {
  return {
    padding: paddingName(t, f.padding),
    stride: [t.int32(f.stride_h), t.int32(f.stride_w)],
    dilation: [t.int32(f.dilation_h_factor, 1), t.int32(f.dilation_w_factor, 1)],
    activation: activationName(t, f.fused_activation_function),
  };
}

/**
 * The shape rules CONV_2D and DEPTHWISE_CONV_2D share: rank-4 input, filter and output, a bias
 * per output channel, positive strides and dilations, and an output size that follows from the
 * window. `filterFits` is the one rule that differs: how the filter matches the input and output
 * channels.
 * Returns the first problem, or undefined.
 */
export function checkWindowedShapes(
  graph: TfliteSubgraph,
  op: TfliteOperator,
  filterFits: (
    filter: TfliteTensor,
    input: TfliteTensor,
    output: TfliteTensor,
  ) => string | undefined,
): string | undefined {
  const { x, y, tensor, missing } = operands(graph, op, 2);
  const w = tensor(op.inputs[1]);
  if (missing || !x || !y || !w) return missing ?? "has no filter";
  if (x.shape.length !== 4 || w.shape.length !== 4 || y.shape.length !== 4) {
    return "input, filter and output must have rank 4";
  }
  const misfit = filterFits(w, x, y);
  if (misfit) return misfit;
  // CONV_2D's filter is [out, h, w, in], DEPTHWISE_CONV_2D's [1, h, w, out].
  const [, kh, kw] = w.shape;
  const outC = y.shape[3];
  if (y.shape[0] !== x.shape[0]) return "output batch differs from the input's";
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
}
