import { float32Bytes, type GraphSpec } from "../../src/tflite/graph.ts";
import {
  Activation,
  type ActivationValue,
  BuiltinOperator,
  TensorType,
} from "../../src/tflite/schema.ts";
import { serializeGraph } from "../../src/tflite/writer.ts";

/** A hand-built 3-input, 2-unit model: softmax(relu(W·x + b)), with W stored [units, inputs]. */
export const TINY_WEIGHTS = new Float32Array([1, 2, 3, -1, 0.5, 0]);
export const TINY_BIAS = new Float32Array([0.1, -0.2]);

export function tinyGraph(): GraphSpec {
  return denseSoftmaxGraph({
    description: "tiny test model",
    inputShape: [1, 3],
    weights: TINY_WEIGHTS,
    bias: TINY_BIAS,
    activation: Activation.RELU,
    hiddenName: "h",
  });
}

/**
 * The shape every hand-built test model shares: tensors x, w, b, the hidden one, y; a
 * FULLY_CONNECTED (weights stored [units, inputs]) with the given fused activation, then a SOFTMAX.
 */
export function denseSoftmaxGraph(spec: {
  description: string;
  inputShape: number[];
  weights: Float32Array;
  bias: Float32Array;
  activation: ActivationValue;
  hiddenName: string;
}): GraphSpec {
  const units = spec.bias.length;
  return {
    description: spec.description,
    inputs: [0],
    outputs: [4],
    tensors: [
      { name: "x", shape: spec.inputShape, type: TensorType.FLOAT32 },
      {
        name: "w",
        shape: [units, spec.weights.length / units],
        type: TensorType.FLOAT32,
        data: float32Bytes(spec.weights),
      },
      { name: "b", shape: [units], type: TensorType.FLOAT32, data: float32Bytes(spec.bias) },
      { name: spec.hiddenName, shape: [1, units], type: TensorType.FLOAT32 },
      { name: "y", shape: [1, units], type: TensorType.FLOAT32 },
    ],
    operators: [
      {
        op: BuiltinOperator.FULLY_CONNECTED,
        version: 1,
        // FULLY_CONNECTED flattens an input such as [1,28,28,1] to [1, inputs] itself.
        inputs: [0, 1, 2],
        outputs: [3],
        options: { kind: "fullyConnected", activation: spec.activation },
      },
      {
        op: BuiltinOperator.SOFTMAX,
        version: 1,
        inputs: [3],
        outputs: [4],
        options: { kind: "softmax", beta: 1 },
      },
    ],
  };
}

export function tinyModelBytes(): Uint8Array {
  return serializeGraph(tinyGraph());
}

/** The same computation in plain TypeScript. */
export function tinyReference(x: ArrayLike<number>): number[] {
  const h = [0, 1].map((u) => {
    let sum = TINY_BIAS[u];
    for (let i = 0; i < 3; i++) sum += TINY_WEIGHTS[u * 3 + i] * x[i];
    return Math.max(0, sum);
  });
  const max = Math.max(...h);
  const e = h.map((v) => Math.exp(v - max));
  const total = e[0] + e[1];
  return e.map((v) => v / total);
}
