/** Loss summed over the samples of a step, and how many of them were classified right. */
export interface StepStats {
  loss: number;
  correct: number;
}

/**
 * What a training worker needs from a model: load the flat parameters, compute the gradient of a
 * part of a batch, and predict. Parameters and gradients use one flat layout: the model's
 * weights (kernel, bias, …) in `model.getWeights()` order, one after another.
 */
export interface GradientKernel {
  readonly parameterCount: number;
  setParams(params: Float32Array): void;
  /**
   * Writes into `grads` the gradient of (sum of this part's losses) / `batchTotal`, so that the
   * parts of one batch add up to the gradient of the batch's mean loss.
   */
  gradients(
    x: Float32Array,
    labels: Uint8Array,
    n: number,
    batchTotal: number,
    grads: Float32Array,
  ): StepStats;
  predict(x: Float32Array, labels: Uint8Array, n: number, predictions: Uint8Array): StepStats;
}
