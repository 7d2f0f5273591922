// Fitting the small networks of src/recognize/small-mlp.ts (the not-a-digit check, the image
// splitter's segment judge): standardisation, then one hidden ReLU layer and one logistic output,
// fitted with Adam on (weighted) cross-entropy. Written out rather than through TF.js: a few
// thousand tiny batches of a 200-input network, where TF.js's per-op overhead would dominate.
import { type Rng, shuffleInPlace } from "../../src/util/rng.ts";

export interface FittedMlp {
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: number;
}

/** Per-feature mean and spread of the samples, and the samples standardised by them. */
export function standardise(features: readonly ArrayLike<number>[]) {
  const n = features.length;
  const k = features[0]?.length ?? 0;
  const mean = new Array<number>(k).fill(0);
  const std = new Array<number>(k).fill(0);
  for (const x of features) for (let f = 0; f < k; f++) mean[f] += x[f] / n;
  for (const x of features) for (let f = 0; f < k; f++) std[f] += (x[f] - mean[f]) ** 2 / n;
  for (let f = 0; f < k; f++) std[f] = Math.sqrt(std[f]) + 1e-3;
  const z = features.map((x) => Float64Array.from(x, (v, f) => (v - mean[f]) / std[f]));
  return { mean, std, z };
}

/**
 * Fits one network to standardised samples `z` with targets `y` (0 or 1), each sample counting
 * `weight[i]` (default 1) in its batch's mean loss. Batches of 128, L2 1e-4 on the weights.
 */
export function fitMlp(
  z: readonly Float64Array[],
  y: readonly number[],
  { hidden, epochs, rng, weight }: { hidden: number; epochs: number; rng: Rng; weight?: number[] },
): FittedMlp {
  const n = z.length;
  const k = z[0]?.length ?? 0;
  const weightOf = (i: number) => weight?.[i] ?? 1;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const params = [
    Float64Array.from({ length: k * hidden }, () => gauss() / Math.sqrt(k)),
    new Float64Array(hidden),
    Float64Array.from({ length: hidden }, () => gauss() / Math.sqrt(hidden)),
    new Float64Array(1),
  ];
  const grads = params.map((p) => new Float64Array(p.length));
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  const [w1, b1, w2, b2] = params;
  const l2 = 1e-4;
  const batch = 128;
  const h = new Float64Array(hidden);
  const order = Array.from({ length: n }, (_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, rng);
    for (let start = 0; start < n; start += batch) {
      const rows = order.slice(start, start + batch);
      for (const g of grads) g.fill(0);
      const total = rows.reduce((a, i) => a + weightOf(i), 0);
      for (const i of rows) {
        const out = hiddenAndLogit(w1, b1, w2, b2[0], z[i], h);
        const g = ((1 / (1 + Math.exp(-out)) - y[i]) * weightOf(i)) / total;
        addLogitGradient(w2, z[i], h, g, grads);
      }
      step++;
      for (const p of [0, 2]) {
        for (let q = 0; q < params[p].length; q++) grads[p][q] += l2 * params[p][q];
      }
      adamStep(params, grads, m, v, step, 1e-3);
    }
  }
  return { w1, b1, w2, b2: b2[0] };
}

/**
 * The network's logit for standardised features `z`, its hidden layer (before ReLU) left in `h`
 * for the gradient. b1 and b2 are the biases; w1 is row-major [features][hidden].
 */
export function hiddenAndLogit(
  w1: Float64Array,
  b1: Float64Array,
  w2: Float64Array,
  b2: number,
  z: Float64Array,
  h: Float64Array,
): number {
  const hidden = b1.length;
  h.set(b1);
  for (let f = 0; f < z.length; f++) {
    const zf = z[f];
    if (zf === 0) continue; // e.g. the always-empty border of the pooled image
    const row = f * hidden;
    for (let j = 0; j < hidden; j++) h[j] += zf * w1[row + j];
  }
  let out = b2;
  for (let j = 0; j < hidden; j++) if (h[j] > 0) out += h[j] * w2[j];
  return out;
}

/**
 * Adds to `grads` ([w1, b1, w2, b2]) the gradient of `g` × the logit, with `h` the hidden layer
 * hiddenAndLogit left for these features.
 */
export function addLogitGradient(
  w2: Float64Array,
  z: Float64Array,
  h: Float64Array,
  g: number,
  grads: Float64Array[],
): void {
  const hidden = h.length;
  grads[3][0] += g;
  for (let j = 0; j < hidden; j++) {
    if (h[j] <= 0) continue;
    grads[2][j] += g * h[j];
    const gh = g * w2[j];
    grads[1][j] += gh;
    for (let f = 0; f < z.length; f++) grads[0][f * hidden + j] += gh * z[f];
  }
}

/** One Adam step (β 0.9 / 0.999) of every parameter array by its gradient; `step` counts from 1. */
export function adamStep(
  params: Float64Array[],
  grads: Float64Array[],
  m: Float64Array[],
  v: Float64Array[],
  step: number,
  learningRate: number,
): void {
  for (let p = 0; p < params.length; p++) {
    for (let q = 0; q < params[p].length; q++) {
      const g = grads[p][q];
      m[p][q] = 0.9 * m[p][q] + 0.1 * g;
      v[p][q] = 0.999 * v[p][q] + 0.001 * g * g;
      const mh = m[p][q] / (1 - 0.9 ** step);
      const vh = v[p][q] / (1 - 0.999 ** step);
      params[p][q] -= (learningRate * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
}
