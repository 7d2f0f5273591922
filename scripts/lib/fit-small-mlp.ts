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
        const x = z[i];
        h.set(b1);
        for (let f = 0; f < k; f++) {
          const xf = x[f];
          if (xf === 0) continue; // e.g. the always-empty border of the pooled image
          const row = f * hidden;
          for (let j = 0; j < hidden; j++) h[j] += xf * w1[row + j];
        }
        let out = b2[0];
        for (let j = 0; j < hidden; j++) if (h[j] > 0) out += h[j] * w2[j];
        const g = ((1 / (1 + Math.exp(-out)) - y[i]) * weightOf(i)) / total;
        grads[3][0] += g;
        for (let j = 0; j < hidden; j++) {
          if (h[j] <= 0) continue;
          grads[2][j] += g * h[j];
          const gh = g * w2[j];
          grads[1][j] += gh;
          for (let f = 0; f < k; f++) grads[0][f * hidden + j] += gh * x[f];
        }
      }
      step++;
      for (let p = 0; p < params.length; p++) {
        const decay = p === 0 || p === 2 ? l2 : 0;
        for (let q = 0; q < params[p].length; q++) {
          const g = grads[p][q] + decay * params[p][q];
          m[p][q] = 0.9 * m[p][q] + 0.1 * g;
          v[p][q] = 0.999 * v[p][q] + 0.001 * g * g;
          const mh = m[p][q] / (1 - 0.9 ** step);
          const vh = v[p][q] / (1 - 0.999 ** step);
          params[p][q] -= (1e-3 * mh) / (Math.sqrt(vh) + 1e-8);
        }
      }
    }
  }
  return { w1, b1, w2, b2: b2[0] };
}
