import { BuiltinOperator, BuiltinOptions, ReshapeOptionsField as F } from "../schema.ts";
import { count, int32Vector, type OpFormat, operands } from "./format.ts";

export interface ReshapeOptions {
  kind: "reshape";
  newShape: number[];
}

/** RESHAPE: the same values under another shape (given as input 1 and in the options). */
export const reshapeFormat: OpFormat<ReshapeOptions> = {
  code: BuiltinOperator.RESHAPE,
  options: {
    kind: "reshape",
    type: BuiltinOptions.ReshapeOptions,
    write(b, options) {
      const newShape = int32Vector(b, options.newShape);
      b.startObject(F.count);
      b.addFieldOffset(F.new_shape, newShape, 0);
      return b.endObject();
    },
    read: (t, what) => ({ newShape: t.int32s(F.new_shape, `the new shape of ${what}`) }),
  },
  checkShapes(graph, op) {
    const { x, y, missing } = operands(graph, op, 1);
    if (missing || !x || !y) return missing;
    return count(x) === count(y) ? undefined : `reshapes ${count(x)} values into ${count(y)}`;
  },
};
