import type { GraphSpec } from "../../tflite/graph.ts";
import { Activation, type ActivationValue } from "../../tflite/schema.ts";
import { UserError } from "../../util/errors.ts";
import type { LayerConverter } from "./op.ts";
import { addRelu } from "./relu.ts";
import { addSoftmax } from "./softmax.ts";

/**
 * Activations: ReLU and ReLU6 fuse into the op before them, as TFLite's converter does; softmax
 * becomes a SOFTMAX op of its own; an `Activation` layer after an op becomes RELU/RELU6/SOFTMAX.
 */

/** Activations TFLite fuses into FULLY_CONNECTED / CONV_2D. */
function fusedActivation(name: string): ActivationValue | undefined {
  switch (name) {
    case "linear":
      return Activation.NONE;
    case "relu":
      return Activation.RELU;
    case "relu6":
      return Activation.RELU6;
    default:
      return undefined;
  }
}

/** A layer's activation split into the part fused into its op and the part after it. */
export function splitActivation(config: Record<string, unknown>): {
  fused: ActivationValue;
  after: string;
} {
  const name = String(config.activation ?? "linear");
  const fused = fusedActivation(name);
  return fused === undefined ? { fused: Activation.NONE, after: name } : { fused, after: "linear" };
}

/** The output tensor's name suffix TensorFlow's converter gives a fused activation. */
export function fusedSuffix(fused: ActivationValue): string {
  return fused === Activation.RELU ? "Relu" : fused === Activation.RELU6 ? "Relu6" : "BiasAdd";
}

/** Adds the op for an activation that could not be fused (softmax); returns its output. */
export function activation(
  graph: GraphSpec,
  input: number,
  name: string,
  layer: string,
  allowFusable = false,
): number {
  if (name === "softmax") return addSoftmax(graph, input, layer);
  if (name === "linear") return input;
  if (allowFusable && (name === "relu" || name === "relu6")) {
    return addRelu(graph, input, layer, name === "relu6");
  }
  throw new UserError(`cannot export activation "${name}" of layer "${layer}" to TFLite`);
}

/** The `Activation` layer. */
export const activationLayer: LayerConverter = (graph, layer, input) =>
  activation(graph, input, String(layer.config.activation), layer.name, true);

/** A fused activation applied in place (reference arithmetic). */
export function applyFused(values: Float32Array, fused: number): Float32Array {
  if (fused === Activation.RELU) {
    for (let i = 0; i < values.length; i++) if (values[i] < 0) values[i] = 0;
  } else if (fused === Activation.RELU6) {
    for (let i = 0; i < values.length; i++) values[i] = Math.min(6, Math.max(0, values[i]));
  }
  return values;
}
