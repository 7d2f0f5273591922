/** Loss summed over the samples of a step, and how many of them were classified right. */
export interface StepStats {
  loss: number;
  correct: number;
}

/** Categorical cross-entropy as Keras computes it (probabilities clipped to [1e-7, 1 − 1e-7]). */
export function clippedLog(p: number): number {
  return Math.log(Math.min(Math.max(p, 1e-7), 1 - 1e-7));
}

/**
 * Loss sum, correct count and (optionally) argmax predictions of softmax outputs. `probs` holds
 * one row of `classes` values per sample, or, with `transposed`, one row per class.
 */
export function scoreProbabilities(
  probs: Float32Array,
  labels: Uint8Array,
  n: number,
  classes: number,
  predictions?: Uint8Array,
  transposed = false,
): StepStats {
  let loss = 0;
  let correct = 0;
  const at = (r: number, c: number) => (transposed ? probs[c * n + r] : probs[r * classes + c]);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (at(r, c) > at(r, best)) best = c;
    if (best === labels[r]) correct++;
    if (predictions) predictions[r] = best;
    loss -= clippedLog(at(r, labels[r]));
  }
  return { loss, correct };
}
