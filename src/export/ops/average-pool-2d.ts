import { padBefore } from "../../tflite/ops/format.ts";
import { BuiltinOperator, Padding } from "../../tflite/schema.ts";
import { applyFused } from "./activation.ts";
import { poolConverter } from "./max-pool-2d.ts";
import type { ExportOp } from "./op.ts";

/** AveragePooling2D → AVERAGE_POOL_2D (with "same", the padded cells are left out of the mean). */
const convertAveragePool = poolConverter(BuiltinOperator.AVERAGE_POOL_2D, "AvgPool");

export const averagePool2dOp: ExportOp = {
  code: BuiltinOperator.AVERAGE_POOL_2D,
  layers: { AveragePooling2D: convertAveragePool },
  reference(op, values, shapeOf) {
    const o = op.options;
    if (o.kind !== "pool2d") throw new Error("AVERAGE_POOL_2D without options");
    const x = values[op.inputs[0]];
    const [, inH, inW, channels] = shapeOf(op.inputs[0]);
    const [, outH, outW] = shapeOf(op.outputs[0]);
    const same = o.padding === Padding.SAME;
    const padTop = padBefore(same, inH, o.filterH, o.strideH, 1, outH);
    const padLeft = padBefore(same, inW, o.filterW, o.strideW, 1, outW);
    const out = new Float32Array(outH * outW * channels);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          let n = 0;
          for (let ky = 0; ky < o.filterH; ky++) {
            const iy = oy * o.strideH + ky - padTop;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < o.filterW; kx++) {
              const ix = ox * o.strideW + kx - padLeft;
              if (ix < 0 || ix >= inW) continue;
              sum += x[(iy * inW + ix) * channels + c];
              n++;
            }
          }
          out[(oy * outW + ox) * channels + c] = n > 0 ? sum / n : 0;
        }
      }
    }
    return applyFused(out, o.activation);
  },
  int8(op, pass) {
    pass.params.set(op.outputs[0], pass.params.get(op.inputs[0])!); // TFLite's int8 kernel keeps the scale
    op.version = 2;
  },
};
