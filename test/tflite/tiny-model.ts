import { serializeGraph } from "../../src/tflite/flatbuffer-writer.ts";
import { float32Bytes, type GraphSpec } from "../../src/tflite/graph.ts";
import { Activation, BuiltinOperator, TensorType } from "../../src/tflite/schema.ts";

/** A hand-built 3-input, 2-unit model: softmax(relu(W·x + b)), with W stored [units, inputs]. */
export const TINY_WEIGHTS = new Float32Array([1, 2, 3, -1, 0.5, 0]);
export const TINY_BIAS = new Float32Array([0.1, -0.2]);

export function tinyGraph(): GraphSpec {
  return {
    description: "tiny test model",
    inputs: [0],
    outputs: [4],
    tensors: [
      { name: "x", shape: [1, 3], type: TensorType.FLOAT32 },
      { name: "w", shape: [2, 3], type: TensorType.FLOAT32, data: float32Bytes(TINY_WEIGHTS) },
      { name: "b", shape: [2], type: TensorType.FLOAT32, data: float32Bytes(TINY_BIAS) },
      { name: "h", shape: [1, 2], type: TensorType.FLOAT32 },
      { name: "y", shape: [1, 2], type: TensorType.FLOAT32 },
    ],
    operators: [
      {
        op: BuiltinOperator.FULLY_CONNECTED,
        version: 1,
        inputs: [0, 1, 2],
        outputs: [3],
        options: { kind: "fullyConnected", activation: Activation.RELU },
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
