import { BuiltinOperator, BuiltinOptions, LeakyReluOptionsField as F } from "../schema.ts";
import { checkSameShape, type OpFormat, versionByInputType } from "./format.ts";

export interface LeakyReluOptions {
  kind: "leakyRelu";
  alpha: number;
}

/** LEAKY_RELU: x for x ≥ 0, alpha · x below. */
export const leakyReluFormat: OpFormat<LeakyReluOptions> = {
  code: BuiltinOperator.LEAKY_RELU,
  options: {
    kind: "leakyRelu",
    type: BuiltinOptions.LeakyReluOptions,
    write(b, options) {
      b.startObject(F.count);
      b.addFieldFloat32(F.alpha, options.alpha, 0);
      return b.endObject();
    },
    read: (t) => ({ alpha: t.float32(F.alpha) }),
  },
  checkShapes: checkSameShape,
  version: versionByInputType,
  runtimeVersions: { 1: "1.13.1", 2: "2.3.0" },
};
