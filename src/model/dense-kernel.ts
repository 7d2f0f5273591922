import * as tf from "@tensorflow/tfjs-core";
import type { GradientKernel, StepStats } from "./kernel.ts";

/**
 * Forward and backward passes of a stack of Dense layers (relu hidden layers, softmax output,
 * categorical cross-entropy), written out by hand on the wasm backend instead of through the
 * autodiff tape. Why: every product then runs untransposed on XNNPACK, the backward pass skips
 * the input gradient of the first layer, and nothing is recorded that is not needed.
 */
export class DenseKernel implements GradientKernel {
  private readonly sizes: number[];
  private weights: tf.Tensor2D[] = [];
  private biases: tf.Tensor1D[] = [];
  /** W transposed, for the backward products dA = dZ·Wᵀ (layer 1's is never needed). */
  private transposed: (tf.Tensor2D | undefined)[] = [];

  /** `sizes` = units per layer including the input, e.g. [784, 512, 512, 10]. */
  constructor(sizes: number[]) {
    this.sizes = sizes;
  }

  get parameterCount(): number {
    let n = 0;
    for (let i = 1; i < this.sizes.length; i++) n += (this.sizes[i - 1] + 1) * this.sizes[i];
    return n;
  }

  setParams(params: Float32Array): void {
    tf.dispose([...this.weights, ...this.biases]);
    tf.dispose(this.transposed.filter((t) => t !== undefined));
    this.weights = [];
    this.biases = [];
    this.transposed = [];
    let offset = 0;
    for (let i = 1; i < this.sizes.length; i++) {
      const [fanIn, units] = [this.sizes[i - 1], this.sizes[i]];
      const w = tf.tensor2d(params.subarray(offset, offset + fanIn * units), [fanIn, units]);
      offset += fanIn * units;
      this.biases.push(tf.tensor1d(params.subarray(offset, offset + units)));
      offset += units;
      this.weights.push(w);
      this.transposed.push(undefined);
    }
  }

  private weightT(layer: number): tf.Tensor2D {
    let t = this.transposed[layer];
    if (!t) {
      t = tf.keep(tf.transpose(this.weights[layer]));
      this.transposed[layer] = t;
    }
    return t;
  }

  /** Runs the layers forward; returns every layer's output (the last one is softmax). */
  private forward(x: tf.Tensor2D): tf.Tensor2D[] {
    const outputs: tf.Tensor2D[] = [];
    let a = x;
    const last = this.weights.length - 1;
    for (let i = 0; i <= last; i++) {
      a = tf.fused.matMul({
        a,
        b: this.weights[i],
        bias: this.biases[i],
        activation: i === last ? "linear" : "relu",
      }) as tf.Tensor2D;
      if (i === last) a = tf.softmax(a);
      outputs.push(a);
    }
    return outputs;
  }

  gradients(
    x: Float32Array,
    labels: Uint8Array,
    n: number,
    batchTotal: number,
    grads: Float32Array,
  ): StepStats {
    const classes = this.sizes[this.sizes.length - 1];
    let stats: StepStats = { loss: 0, correct: 0 };
    tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(0, n * this.sizes[0]), [n, this.sizes[0]]);
      const outputs = this.forward(input);
      const probs = outputs[outputs.length - 1].dataSync() as Float32Array;
      const { dz: dzData, ...s } = lossAndGradient(probs, labels, n, classes, batchTotal);
      stats = s;
      let dz: tf.Tensor2D = tf.tensor2d(dzData, [n, classes]);
      // Gradient slices in the flat parameter layout, written from the last layer down.
      let offset = this.parameterCount;
      for (let i = this.weights.length - 1; i >= 0; i--) {
        const [fanIn, units] = [this.sizes[i], this.sizes[i + 1]];
        const aPrev = i === 0 ? input : outputs[i - 1];
        offset -= units;
        grads.set(tf.sum(dz, 0).dataSync() as Float32Array, offset);
        offset -= fanIn * units;
        grads.set(tf.matMul(tf.transpose(aPrev), dz).dataSync() as Float32Array, offset);
        if (i > 0) {
          const da = tf.matMul(dz, this.weightT(i));
          dz = tf.mul(da, tf.step(aPrev));
        }
      }
    });
    return stats;
  }

  predict(x: Float32Array, labels: Uint8Array, n: number, predictions: Uint8Array): StepStats {
    const classes = this.sizes[this.sizes.length - 1];
    let stats: StepStats = { loss: 0, correct: 0 };
    tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(0, n * this.sizes[0]), [n, this.sizes[0]]);
      const outputs = this.forward(input);
      const probs = outputs[outputs.length - 1].dataSync() as Float32Array;
      stats = scoreProbabilities(probs, labels, n, classes, predictions);
    });
    return stats;
  }
}

/** Categorical cross-entropy as Keras computes it (probabilities clipped to [1e-7, 1 − 1e-7]). */
function clippedLog(p: number): number {
  return Math.log(Math.min(Math.max(p, 1e-7), 1 - 1e-7));
}

/** Loss sum, correct count and argmax predictions of softmax outputs. */
export function scoreProbabilities(
  probs: Float32Array,
  labels: Uint8Array,
  n: number,
  classes: number,
  predictions?: Uint8Array,
): StepStats {
  let loss = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const row = r * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[row + c] > probs[row + best]) best = c;
    if (best === labels[r]) correct++;
    if (predictions) predictions[r] = best;
    loss -= clippedLog(probs[row + labels[r]]);
  }
  return { loss, correct };
}

/** Softmax + cross-entropy backward: dLoss/dLogits = (p − onehot) / batch size. */
function lossAndGradient(
  probs: Float32Array,
  labels: Uint8Array,
  n: number,
  classes: number,
  batchTotal: number,
): StepStats & { dz: Float32Array } {
  const dz = new Float32Array(n * classes);
  for (let i = 0; i < n * classes; i++) dz[i] = probs[i] / batchTotal;
  for (let r = 0; r < n; r++) dz[r * classes + labels[r]] -= 1 / batchTotal;
  return { ...scoreProbabilities(probs, labels, n, classes), dz };
}
