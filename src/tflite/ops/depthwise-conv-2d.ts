import { BuiltinOperator, BuiltinOptions, DepthwiseConv2DOptionsField as F } from "../schema.ts";
import { isHybrid, isInt8, type OpFormat } from "./format.ts";
import {
  addWindowFields,
  checkWindowedShapes,
  readWindowFields,
  type WindowOptions,
} from "./window.ts";

export interface DepthwiseConv2dOptions extends WindowOptions {
  kind: "depthwiseConv2d";
  depthMultiplier: number;
}

/** DEPTHWISE_CONV_2D: NHWC input, filter [1, h, w, channels × multiplier], a bias per output. */
export const depthwiseConv2dFormat: OpFormat<DepthwiseConv2dOptions> = {
  code: BuiltinOperator.DEPTHWISE_CONV_2D,
  options: {
    kind: "depthwiseConv2d",
    type: BuiltinOptions.DepthwiseConv2DOptions,
    write(b, options) {
      b.startObject(F.count);
      addWindowFields(b, F, options);
      b.addFieldInt32(F.depth_multiplier, options.depthMultiplier, 0);
      return b.endObject();
    },
    read: (t) => ({ ...readWindowFields(t, F), depthMultiplier: t.int32(F.depth_multiplier) }),
  },
  checkShapes: (graph, op) =>
    checkWindowedShapes(graph, op, (w, x, y) => {
      const [one, , , outC] = w.shape;
      const inC = x.shape[3];
      if (one !== 1 || inC === 0 || outC % inC !== 0) {
        return `filter [${w.shape}] does not fit ${inC} input channels`;
      }
      return y.shape[3] !== outC
        ? `output has ${y.shape[3]} channels, the filter ${outC}`
        : undefined;
    }),
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
