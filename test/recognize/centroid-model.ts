import { loadMnist } from "../../src/data/mnist.ts";
import { Activation } from "../../src/tflite/schema.ts";
import { serializeGraph } from "../../src/tflite/writer.ts";
import { denseSoftmaxGraph } from "../tflite/tiny-model.ts";

/**
 * A real (if weak) digit model the tests can build in a second, for checking the pipeline before
 * trained models ship: nearest class mean over the first 6000 training images, which is linear,
 * -|x - m|² / T = (2 m·x - |m|²) / T + const, so it is one FULLY_CONNECTED and a SOFTMAX.
 */
export async function centroidWeights(
  temperature = 2,
): Promise<{ weights: Float32Array; bias: Float32Array }> {
  const { train } = await loadMnist();
  const count = Math.min(6000, train.count);
  const sums = new Float64Array(10 * 784);
  const counts = new Float64Array(10);
  for (let i = 0; i < count; i++) {
    const label = train.labels[i];
    counts[label]++;
    for (let p = 0; p < 784; p++) sums[label * 784 + p] += train.images[i * 784 + p] / 255;
  }
  const weights = new Float32Array(10 * 784);
  const bias = new Float32Array(10);
  for (let d = 0; d < 10; d++) {
    let norm = 0;
    for (let p = 0; p < 784; p++) {
      const mean = sums[d * 784 + p] / counts[d];
      weights[d * 784 + p] = (2 * mean) / temperature;
      norm += mean * mean;
    }
    bias[d] = -norm / temperature;
  }
  return { weights, bias };
}

/** The centroid model as .tflite bytes, with input [1,784] or the CNN's [1,28,28,1]. */
export async function centroidModelBytes(inputShape = [1, 784]): Promise<Uint8Array> {
  const { weights, bias } = await centroidWeights();
  return serializeGraph(
    denseSoftmaxGraph({
      description: "nearest class mean (test model)",
      inputShape,
      weights,
      bias,
      activation: Activation.NONE,
      hiddenName: "logits",
    }),
  );
}

/** The same model in plain TypeScript, to check the runtime's answers against. */
export function centroidReference(
  model: { weights: Float32Array; bias: Float32Array },
  input: Float32Array,
): number[] {
  const logits = Array.from(model.bias, (b, d) => {
    let sum = b;
    for (let p = 0; p < 784; p++) sum += model.weights[d * 784 + p] * input[p];
    return sum;
  });
  const top = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}
