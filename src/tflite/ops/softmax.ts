import { BuiltinOperator, BuiltinOptions, SoftmaxOptionsField as F } from "../schema.ts";
import { checkSameShape, type OpFormat } from "./format.ts";

export interface SoftmaxOptions {
  kind: "softmax";
  beta: number;
}

/** SOFTMAX over the last axis, exp(beta · x) normalised. */
export const softmaxFormat: OpFormat<SoftmaxOptions> = {
  code: BuiltinOperator.SOFTMAX,
  options: {
    kind: "softmax",
    type: BuiltinOptions.SoftmaxOptions,
    write(b, options) {
      b.startObject(F.count);
      b.addFieldFloat32(F.beta, options.beta, 0);
      return b.endObject();
    },
    read: (t) => ({ beta: t.float32(F.beta) }),
  },
  checkShapes: checkSameShape,
};
