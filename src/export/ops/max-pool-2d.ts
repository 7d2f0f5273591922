import type { GraphSpec } from "../../tflite/graph.ts";
import { padBefore, windowOut } from "../../tflite/ops/format.ts";
import {
  Activation,
  BuiltinOperator,
  type BuiltinOperatorValue,
  Padding,
} from "../../tflite/schema.ts";
import { applyFused } from "./activation.ts";
import { type ExportOp, type LayerSource, outputTensor, pair } from "./op.ts";
import { paddingOf } from "./window.ts";

/**
 * A pooling layer → MAX_POOL_2D or AVERAGE_POOL_2D (the two share Pool2DOptions and Keras's
 * pool_size / strides / padding).
 */
export function poolConverter(code: BuiltinOperatorValue, suffix: string) {
  return (graph: GraphSpec, layer: LayerSource, input: number): number => {
    const { config } = layer;
    const inShape = graph.tensors[input].shape;
    const [filterH, filterW] = pair(config.poolSize ?? 2);
    const [strideH, strideW] = pair(config.strides ?? config.poolSize ?? 2);
    const pad = paddingOf(layer);
    const same = pad === Padding.SAME;
    const outShape = [
      1,
      windowOut(inShape[1], filterH, strideH, 1, same),
      windowOut(inShape[2], filterW, strideW, 1, same),
      inShape[3],
    ];
    const out = outputTensor(graph, `${layer.name}/${suffix}`, outShape);
    graph.operators.push({
      op: code,
      version: 1,
      inputs: [input],
      outputs: [out],
      options: {
        kind: "pool2d",
        padding: pad,
        strideW,
        strideH,
        filterW,
        filterH,
        activation: Activation.NONE,
      },
    });
    return out;
  };
}

/** MaxPooling2D → MAX_POOL_2D. */
const convertMaxPool = poolConverter(BuiltinOperator.MAX_POOL_2D, "MaxPool");

/**
 * The reference arithmetic of a pooling op: each output cell is `reduce` of the input cells under
 * its window (padding cells left out), then the fused activation.
 */
export function poolReference(
  name: string,
  reduce: (cells: readonly number[]) => number,
): ExportOp["reference"] {
  return (op, values, shapeOf) => {
    const o = op.options;
    if (o.kind !== "pool2d") throw new Error(`${name} without options`);
    const x = values[op.inputs[0]];
    const [, inH, inW, channels] = shapeOf(op.inputs[0]);
    const [, outH, outW] = shapeOf(op.outputs[0]);
    const same = o.padding === Padding.SAME;
    const padTop = padBefore(same, inH, o.filterH, o.strideH, 1, outH);
    const padLeft = padBefore(same, inW, o.filterW, o.strideW, 1, outW);
    const out = new Float32Array(outH * outW * channels);
    const cells: number[] = [];
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < channels; c++) {
          cells.length = 0;
          for (let ky = 0; ky < o.filterH; ky++) {
            const iy = oy * o.strideH + ky - padTop;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < o.filterW; kx++) {
              const ix = ox * o.strideW + kx - padLeft;
              if (ix >= 0 && ix < inW) cells.push(x[(iy * inW + ix) * channels + c]);
            }
          }
          out[(oy * outW + ox) * channels + c] = reduce(cells);
        }
      }
    }
    return applyFused(out, o.activation);
  };
}

export const maxPool2dOp: ExportOp = {
  code: BuiltinOperator.MAX_POOL_2D,
  layers: { MaxPooling2D: convertMaxPool },
  reference: poolReference("MAX_POOL_2D", (cells) => Math.max(...cells)),
  int8(op, pass) {
    pass.params.set(op.outputs[0], pass.params.get(op.inputs[0])!); // max keeps the scale
  },
};
