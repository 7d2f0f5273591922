import { BuiltinOperator, BuiltinOptions, Conv2DOptionsField as F } from "../schema.ts";
import { isHybrid, isInt8, type OpFormat } from "./format.ts";
import {
  addWindowFields,
  checkWindowedShapes,
  readWindowFields,
  type WindowOptions,
} from "./window.ts";

export interface Conv2dOptions extends WindowOptions {
  kind: "conv2d";
}

/** CONV_2D: NHWC input, OHWI filter, one bias per filter. */
export const conv2dFormat: OpFormat<Conv2dOptions> = {
  code: BuiltinOperator.CONV_2D,
  options: {
    kind: "conv2d",
    type: BuiltinOptions.Conv2DOptions,
    write(b, options) {
      b.startObject(F.count);
      addWindowFields(b, F, options);
      return b.endObject();
    },
    read: (t) => readWindowFields(t, F),
  },
  checkShapes: (graph, op) =>
    checkWindowedShapes(graph, op, (w, x, y) => {
      const [outC, , , inC] = w.shape;
      if (inC !== x.shape[3]) return `filter depth ${inC} for ${x.shape[3]} input channels`;
      return y.shape[3] !== outC
        ? `output has ${y.shape[3]} channels for ${outC} filters`
        : undefined;
    }),
  version(sig) {
    if (isInt8(sig)) return 3;
    // op_signature.cc: per-channel = one scale per filter (dimension 0), even a single one
    const w = sig.inputs[1];
    if (isHybrid(sig)) return w && w.scales > 0 && w.scales === w.shape[0] ? 5 : 2;
    return 1;
  },
  runtimeVersions: { 1: "1.5.0", 2: "1.14.0", 3: "1.14.0", 4: "2.3.0", 5: "2.4.0", 6: "2.9.0" },
};
