import type { GraphSpec } from "../../tflite/graph.ts";
import { BuiltinOperator } from "../../tflite/schema.ts";
import { addConstantOp, broadcastReference, int8WithConstant } from "./add.ts";
import type { ExportOp, LayerSource } from "./op.ts";

/**
 * MUL by a constant, and the two layers that become MUL then ADD when the importer could not fold
 * them into a neighbouring Dense or convolution: BatchNormalization (per channel, scale
 * γ / √(variance + ε), offset β − mean · scale, as Keras computes it) and Rescaling.
 */

function affine(
  graph: GraphSpec,
  input: number,
  scale: Float32Array,
  offset: Float32Array,
  name: string,
): number {
  let out = input;
  if (scale.some((s) => s !== 1)) out = addConstantOp(graph, BuiltinOperator.MUL, out, scale, name);
  if (offset.some((o) => o !== 0))
    out = addConstantOp(graph, BuiltinOperator.ADD, out, offset, name);
  return out;
}

function convertBatchNorm(graph: GraphSpec, layer: LayerSource, input: number): number {
  const { config, weights } = layer;
  const axis = Number(config.axis ?? -1);
  const rank = graph.tensors[input].shape.length;
  if (axis !== -1 && axis !== rank - 1)
    throw new Error(`layer "${layer.name}": BatchNormalization over axis ${axis}`);
  let w = 0;
  const gamma = config.scale !== false ? weights[w++].values : undefined;
  const beta = config.center !== false ? weights[w++].values : undefined;
  const mean = weights[w++].values;
  const variance = weights[w++].values;
  const epsilon = Number(config.epsilon ?? 0.001);
  const scale = Float32Array.from(
    mean,
    (_, c) => (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon),
  );
  const offset = Float32Array.from(mean, (m, c) => (beta ? beta[c] : 0) - m * scale[c]);
  return affine(graph, input, scale, offset, layer.name);
}

function convertRescaling(graph: GraphSpec, layer: LayerSource, input: number): number {
  const scale = Float32Array.of(Number(layer.config.scale ?? 1));
  const offset = Float32Array.of(Number(layer.config.offset ?? 0));
  return affine(graph, input, scale, offset, layer.name);
}

export const mulOp: ExportOp = {
  code: BuiltinOperator.MUL,
  layers: { BatchNormalization: convertBatchNorm, Rescaling: convertRescaling },
  reference: (op, values, shapeOf) => broadcastReference(op, values, shapeOf, (a, b) => a * b),
  int8: int8WithConstant,
};
