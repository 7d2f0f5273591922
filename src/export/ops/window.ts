import type { GraphSpec } from "../../tflite/graph.ts";
import { padBefore, windowOut } from "../../tflite/ops/format.ts";
import type { WindowOptions } from "../../tflite/ops/window.ts";
import { Padding, type PaddingValue } from "../../tflite/schema.ts";
import { UserError } from "../../util/errors.ts";
import { applyFused, fusedSuffix, splitActivation } from "./activation.ts";
import { type LayerSource, outputTensor, pair } from "./op.ts";

/** What Conv2D and DepthwiseConv2D share: a sliding window over an NHWC image. */

export function paddingOf(layer: LayerSource): PaddingValue {
  if (layer.config.padding === "same") return Padding.SAME;
  if (layer.config.padding === "valid") return Padding.VALID;
  throw new UserError(`layer "${layer.name}": padding "${layer.config.padding}" is not supported`);
}

/**
 * The window options of a layer with a `kh × kw` kernel and `outC` outputs, and the output tensor
 * they give (named as TensorFlow's converter names it); `after` is the activation left to add.
 */
export function windowLayer(
  graph: GraphSpec,
  layer: LayerSource,
  input: number,
  [kh, kw, outC]: [number, number, number],
): { options: WindowOptions; out: number; after: string } {
  const { name, config } = layer;
  const inShape = graph.tensors[input].shape;
  const [strideH, strideW] = pair(config.strides ?? 1);
  const [dilationH, dilationW] = pair(config.dilationRate ?? 1);
  const padding = paddingOf(layer);
  const same = padding === Padding.SAME;
  const { fused, after } = splitActivation(config);
  const outShape = [
    1,
    windowOut(inShape[1], kh, strideH, dilationH, same),
    windowOut(inShape[2], kw, strideW, dilationW, same),
    outC,
  ];
  const out = outputTensor(graph, `${name}/${fusedSuffix(fused)}`, outShape);
  const options = { padding, strideW, strideH, activation: fused, dilationW, dilationH };
  return { options, out, after };
}

/** Shapes the reference arithmetic reads: [h, w, channels] in and out, the kernel's h and w. */
export interface WindowShapes {
  input: number[];
  output: number[];
  kernel: [number, number];
}

/**
 * The reference arithmetic of a windowed op: for every output pixel and channel, the bias plus
 * what `tap(sum, xBase, kernelOffset, c)` adds to `sum` over the kernel positions that fall inside the image, where
 * `xBase` is the input pixel's first channel and `kernelOffset` is ky · kw + kx. Out-of-image taps
 * are skipped, which is zero padding. The fused activation is applied last.
 */
export function convolveReference(
  o: WindowOptions,
  { input: [inH, inW, inC], output: [outH, outW, outC], kernel: [kh, kw] }: WindowShapes,
  bias: Float32Array | undefined,
  tap: (sum: number, xBase: number, kernelOffset: number, c: number) => number,
): Float32Array {
  const same = o.padding === Padding.SAME;
  const padTop = padBefore(same, inH, kh, o.strideH, o.dilationH, outH);
  const padLeft = padBefore(same, inW, kw, o.strideW, o.dilationW, outW);
  const out = new Float32Array(outH * outW * outC);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let c = 0; c < outC; c++) {
        let sum = bias ? bias[c] : 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * o.strideH + ky * o.dilationH - padTop;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * o.strideW + kx * o.dilationW - padLeft;
            if (ix < 0 || ix >= inW) continue;
            sum = tap(sum, (iy * inW + ix) * inC, ky * kw + kx, c);
          }
        }
        out[(oy * outW + ox) * outC + c] = sum;
      }
    }
  }
  return applyFused(out, o.activation);
}
