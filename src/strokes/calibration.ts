import { softmaxInPlace } from "../util/softmax.ts";

/** One classified example: what it was and the probabilities the model gave. */
export interface Scored {
  label: number;
  probabilities: ArrayLike<number>;
}

export interface ReliabilityBin {
  from: number; // shown probability range [from, to)
  to: number;
  n: number;
  meanProbability: number; // what the app showed, on average
  accuracy: number; // how often it was right
}

/** The most probable digit (the first of equals) and its probability. */
export function topChoice(p: ArrayLike<number>): { digit: number; probability: number } {
  let digit = 0;
  for (let d = 1; d < p.length; d++) if (p[d] > p[digit]) digit = d;
  return { digit, probability: p[digit] };
}

/**
 * The reliability table: examples grouped by the probability shown for the top digit. A calibrated
 * model is right about 90% of the time on the examples it shows at about 90%.
 */
export function reliability(items: Scored[], edges = [0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001]) {
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    let n = 0;
    let sumP = 0;
    let right = 0;
    for (const item of items) {
      const t = topChoice(item.probabilities);
      if (t.probability < edges[b] || t.probability >= edges[b + 1]) continue;
      n++;
      sumP += t.probability;
      if (t.digit === item.label) right++;
    }
    bins.push({
      from: edges[b],
      to: Math.min(1, edges[b + 1]),
      n,
      meanProbability: n ? sumP / n : 0,
      accuracy: n ? right / n : 0,
    });
  }
  return bins;
}

/** Expected calibration error: the gap between shown probability and accuracy, over 15 equal bins. */
export function expectedCalibrationError(items: Scored[], binCount = 15): number {
  if (items.length === 0) return 0;
  const edges = Array.from({ length: binCount + 1 }, (_, i) => i / binCount);
  edges[binCount] = 1.0001;
  return reliability(items, edges).reduce(
    (sum, bin) => sum + (bin.n / items.length) * Math.abs(bin.accuracy - bin.meanProbability),
    0,
  );
}

/** Softmax of log(p)/T: what a model's probabilities become when its logits are divided by T. */
export function applyTemperature(p: ArrayLike<number>, temperature: number): number[] {
  return softmaxInPlace(Array.from(p, (v) => Math.log(Math.max(v, 1e-30)) / temperature));
}

function negativeLogLikelihood(items: Scored[], temperature: number): number {
  let nll = 0;
  for (const item of items) {
    nll -= Math.log(Math.max(applyTemperature(item.probabilities, temperature)[item.label], 1e-30));
  }
  return nll / items.length;
}

/**
 * Temperature scaling: the T in [0.25, 10] that minimises the negative log-likelihood of the
 * labels (golden-section search; the NLL is unimodal in log T). Fit it on tuning data only.
 */
export function fitTemperature(items: Scored[]): number {
  let lo = Math.log(0.25);
  let hi = Math.log(10);
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = negativeLogLikelihood(items, Math.exp(a));
  let fb = negativeLogLikelihood(items, Math.exp(b));
  for (let i = 0; i < 40; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = negativeLogLikelihood(items, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = negativeLogLikelihood(items, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}
