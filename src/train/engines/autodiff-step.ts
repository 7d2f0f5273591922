import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { inputShapeOf } from "../../model/architectures.ts";
import { type StepStats, scoreProbabilities } from "../../model/loss.ts";

/**
 * The general path for any Layers model (the CNN, dropout): gradients through TF.js autodiff
 * (tf.variableGrads over the model's own variables), so every layer type TF.js knows works.
 */
export class LayersKernel {
  private readonly model: tfl.LayersModel;
  private readonly variables: tf.Variable[];
  private readonly inputShape: number[];

  constructor(model: tfl.LayersModel) {
    this.model = model;
    this.variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    this.inputShape = inputShapeOf(model);
  }

  setParams(params: Float32Array): void {
    let offset = 0;
    for (const v of this.variables) {
      const size = v.size;
      tf.tidy(() => v.assign(tf.tensor(params.subarray(offset, offset + size), v.shape)));
      offset += size;
    }
  }

  private input(x: Float32Array, n: number): tf.Tensor {
    const size = this.inputShape.reduce((a, b) => a * b, 1);
    return tf.tensor(x.subarray(0, n * size), [n, ...this.inputShape]);
  }

  gradients(
    x: Float32Array,
    labels: Uint8Array,
    n: number,
    batchTotal: number,
    grads: Float32Array,
  ): StepStats {
    let stats: StepStats = { loss: 0, correct: 0 };
    tf.tidy(() => {
      const input = this.input(x, n);
      const onehot = tf.oneHot(tf.tensor1d(labels.subarray(0, n), "int32"), 10);
      const { grads: g } = tf.variableGrads(() => {
        const probs = this.model.apply(input, { training: true }) as tf.Tensor;
        stats = scoreProbabilities(probs.dataSync() as Float32Array, labels, n, 10);
        const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
        return tf.div(tf.neg(tf.sum(tf.mul(onehot, tf.log(clipped)))), batchTotal) as tf.Scalar;
      }, this.variables);
      let offset = 0;
      for (const v of this.variables) {
        grads.set(g[v.name].dataSync() as Float32Array, offset);
        offset += v.size;
      }
    });
    return stats;
  }

  predict(x: Float32Array, labels: Uint8Array, n: number, predictions: Uint8Array): StepStats {
    let stats: StepStats = { loss: 0, correct: 0 };
    tf.tidy(() => {
      const probs = this.model.apply(this.input(x, n), { training: false }) as tf.Tensor;
      stats = scoreProbabilities(probs.dataSync() as Float32Array, labels, n, 10, predictions);
    });
    return stats;
  }
}
