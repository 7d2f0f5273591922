// The small networks that judge a reading after the classifier — "is this a digit?"
// (not-a-digit.ts) and "is this crop one whole digit?" (segment-judge.ts): their common inputs
// (the model input pooled, the classifier's log-probabilities) and their one forward pass
// (standardise, one hidden ReLU layer, one output). Weights are plain JSON, fitted by
// scripts/lib/fit-small-mlp.ts. Pure TypeScript: no Node, no DOM.

export interface SmallMlp {
  /** Per-feature standardisation. */
  mean: number[];
  std: number[];
  hidden: number;
  /** Hidden layer, row-major [features][hidden], then its bias; output weights and bias. */
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
}

/** Side of the pooled image (28 / 2). */
export const POOLED = 14;
/** Log-probabilities below this are clipped: a probability of exactly 0 has no logarithm. */
const MIN_LOG_P = Math.log(1e-12);
/** Log-probabilities are divided by this so they sit near the pixels' 0–1 range. */
const LOG_SCALE = 10;
/** How many features readingFeatures writes. */
export const READING_FEATURES = POOLED * POOLED + 10;

/**
 * Writes the 28×28 input pooled to 14×14 (2×2 means) and the ten scaled log-probabilities into
 * `out` from index 0; returns the log-probabilities as written, for the caller's own use.
 */
export function readingFeatures(
  input784: ArrayLike<number>,
  probabilities: readonly number[],
  out: Float32Array,
): number[] {
  for (let y = 0; y < POOLED; y++) {
    for (let x = 0; x < POOLED; x++) {
      const i = 2 * y * 28 + 2 * x;
      out[y * POOLED + x] =
        (input784[i] + input784[i + 1] + input784[i + 28] + input784[i + 29]) / 4;
    }
  }
  const logs = Array.from(
    { length: 10 },
    (_, d) => Math.max(MIN_LOG_P, Math.log(probabilities[d] ?? 0)) / LOG_SCALE,
  );
  out.set(logs, POOLED * POOLED);
  return logs;
}

/** The network's output (a logit) for some features. */
export function mlpLogit(features: ArrayLike<number>, model: SmallMlp): number {
  const { hidden, mean, std, w1, b1, w2 } = model;
  const h = Float64Array.from(b1);
  for (let f = 0; f < mean.length; f++) {
    const z = (features[f] - mean[f]) / std[f];
    if (z === 0) continue;
    const row = f * hidden;
    for (let j = 0; j < hidden; j++) h[j] += z * w1[row + j];
  }
  let out = model.b2;
  for (let j = 0; j < hidden; j++) if (h[j] > 0) out += h[j] * w2[j];
  return out;
}
