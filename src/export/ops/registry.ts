import { UserError } from "../../util/errors.ts";
import { activationLayer } from "./activation.ts";
import { addOp } from "./add.ts";
import { averagePool2dOp } from "./average-pool-2d.ts";
import { conv2dOp } from "./conv-2d.ts";
import { depthwiseConv2dOp } from "./depthwise-conv-2d.ts";
import { fullyConnectedOp } from "./fully-connected.ts";
import { leakyReluOp } from "./leaky-relu.ts";
import { maxPool2dOp } from "./max-pool-2d.ts";
import { meanOp } from "./mean.ts";
import { mulOp } from "./mul.ts";
import type { ExportOp, LayerConverter } from "./op.ts";
import { dequantizeOp, quantizeOp } from "./quantize.ts";
import { relu6Op, reluOp } from "./relu.ts";
import { reshapeOp } from "./reshape.ts";
import { softmaxOp } from "./softmax.ts";

/**
 * Every op the exporter writes, one file each (conversion from layers, reference arithmetic,
 * quantized forms); their file format is the matching src/tflite/ops/ file.
 *
 * To add an op (say DEPTHWISE_CONV_2D for Keras DepthwiseConv2D):
 * 1. its format first: src/tflite/ops/depthwise-conv-2d.ts, in src/tflite/ops/registry.ts;
 * 2. src/export/ops/depthwise-conv-2d.ts exporting an ExportOp (./op.ts): `code`; `layers`, the
 *    TF.js class names it converts (each converter appends tensors and operators to the graph
 *    and returns its output tensor; `activation()` adds what cannot be fused); `reference`, the
 *    float32 arithmetic (int8 calibration runs it); `weightInputs` and `hybrid` if it has
 *    weights (float16 and dynamic range then handle it); `int8`, its full-integer form (without
 *    it, int8 export refuses the model);
 * 3. add it to EXPORT_OPS below. convert.ts, reference.ts and quantize.ts need no change.
 */
export const EXPORT_OPS: readonly ExportOp[] = [
  fullyConnectedOp,
  conv2dOp,
  maxPool2dOp,
  reshapeOp,
  softmaxOp,
  reluOp,
  relu6Op,
  quantizeOp,
  dequantizeOp,
  depthwiseConv2dOp,
  averagePool2dOp,
  meanOp,
  leakyReluOp,
  mulOp,
  addOp,
];

/** Layers that are the identity at inference: they add nothing to the graph. */
const IDENTITY_LAYERS = [
  "InputLayer",
  "Dropout",
  "SpatialDropout1D",
  "GaussianNoise",
  "GaussianDropout",
];

const byCode = new Map(EXPORT_OPS.map((op) => [op.code, op]));
const layerConverters = new Map<string, LayerConverter>([
  ...IDENTITY_LAYERS.map((name): [string, LayerConverter] => [name, (_g, _l, input) => input]),
  ["Activation", activationLayer],
  ...EXPORT_OPS.flatMap((op) => Object.entries(op.layers ?? {})),
]);

export function exportOp(code: number): ExportOp | undefined {
  return byCode.get(code);
}

/** The converter of a TF.js layer class; a UserError naming the layer if there is none. */
export function layerConverter(className: string, layerName: string): LayerConverter {
  const converter = layerConverters.get(className);
  if (!converter) {
    throw new UserError(`cannot export layer "${layerName}" of type ${className} to TFLite`);
  }
  return converter;
}
