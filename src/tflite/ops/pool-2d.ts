import type { ActivationValue, PaddingValue } from "../schema.ts";
import { BuiltinOperator, BuiltinOptions, Pool2DOptionsField as F } from "../schema.ts";
import {
  activationName,
  type OpFormat,
  type OptionsCodec,
  operands,
  paddingName,
  windowOut,
} from "./format.ts";

export interface Pool2dOptions {
  kind: "pool2d";
  padding: PaddingValue;
  strideW: number;
  strideH: number;
  filterW: number;
  filterH: number;
  activation: ActivationValue;
}

const pool2dOptions: OptionsCodec<Pool2dOptions> = {
  kind: "pool2d",
  type: BuiltinOptions.Pool2DOptions,
  write(b, options) {
    b.startObject(F.count);
    b.addFieldInt8(F.padding, options.padding, 0);
    b.addFieldInt32(F.stride_w, options.strideW, 0);
    b.addFieldInt32(F.stride_h, options.strideH, 0);
    b.addFieldInt32(F.filter_width, options.filterW, 0);
    b.addFieldInt32(F.filter_height, options.filterH, 0);
    b.addFieldInt8(F.fused_activation_function, options.activation, 0);
    return b.endObject();
  },
  read: (t) => ({
    padding: paddingName(t, F.padding),
    stride: [t.int32(F.stride_h), t.int32(F.stride_w)],
    filter: [t.int32(F.filter_height), t.int32(F.filter_width)],
    activation: activationName(t, F.fused_activation_function),
  }),
};

const checkPoolShapes: OpFormat["checkShapes"] = (graph, op) => {
  const { x, y, missing } = operands(graph, op, 1);
  if (missing || !x || !y) return missing;
  if (x.shape.length !== 4 || y.shape.length !== 4) return "input and output must have rank 4";
  if (x.shape[0] !== y.shape[0] || x.shape[3] !== y.shape[3]) {
    return "output batch or channels differ";
  }
  const [sh, sw] = (op.options.stride as number[]) ?? [0, 0];
  const [fh, fw] = (op.options.filter as number[]) ?? [0, 0];
  if (!(sh > 0 && sw > 0 && fh > 0 && fw > 0)) return "strides and filter must be positive";
  const same = op.options.padding === "SAME";
  if (
    y.shape[1] !== windowOut(x.shape[1], fh, sh, 1, same) ||
    y.shape[2] !== windowOut(x.shape[2], fw, sw, 1, same)
  ) {
    return `output [${y.shape}] does not follow from input [${x.shape}]`;
  }
  return undefined;
};

/** MAX_POOL_2D and AVERAGE_POOL_2D share Pool2DOptions and their shape rules. */
export const maxPool2dFormat: OpFormat<Pool2dOptions> = {
  code: BuiltinOperator.MAX_POOL_2D,
  options: pool2dOptions,
  checkShapes: checkPoolShapes,
};

export const averagePool2dFormat: OpFormat<Pool2dOptions> = {
  code: BuiltinOperator.AVERAGE_POOL_2D,
  options: pool2dOptions,
  checkShapes: checkPoolShapes,
};
