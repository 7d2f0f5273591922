import { BuiltinOperator, BuiltinOptions, ReducerOptionsField as F } from "../schema.ts";
import { type OpFormat, operands, versionByInputType } from "./format.ts";

export interface ReducerOptions {
  kind: "reducer";
  keepDims: boolean;
}

/** MEAN over the axes given as input 1 (global average pooling: axes 1 and 2 of NHWC). */
export const meanFormat: OpFormat<ReducerOptions> = {
  code: BuiltinOperator.MEAN,
  options: {
    kind: "reducer",
    type: BuiltinOptions.ReducerOptions,
    write(b, options) {
      b.startObject(F.count);
      b.addFieldInt8(F.keep_dims, options.keepDims ? 1 : 0, 0);
      return b.endObject();
    },
    read: (t) => ({ keepDims: t.int8(F.keep_dims) }),
  },
  checkShapes(graph, op) {
    const { x, y, tensor, missing } = operands(graph, op, 2);
    const axes = tensor(op.inputs[1]);
    if (missing || !x || !y || !axes) return missing ?? "has no axes";
    if (y.shape.length > x.shape.length) return "output has more axes than the input";
    if (x.shape[x.shape.length - 1] !== y.shape[y.shape.length - 1]) return "channels differ";
    return undefined;
  },
  version: versionByInputType,
  runtimeVersions: { 1: "1.6.0", 2: "1.14.0", 3: "2.4.0" },
};
