// How an answer reads: the result's shape, percent and time formats, and the runner-up hint.
// render.ts puts them on the page; the tests check the wording here.

/** Below this top probability the second choice is shown too ("4 or 9?"). Tuned on real strokes. */
export const RUNNER_UP_THRESHOLD = 0.8;

export interface ShownResult {
  digit: number;
  probability: number;
  probabilities: number[];
  /** Preprocessing plus inference, in milliseconds. */
  timeMs: number;
  /** The 784 model inputs (0–1), drawn enlarged so the user sees what the model saw. */
  input: Float32Array;
}

/** The runner-up hint ("4 or 9?"), or null when the top probability is high enough. */
export function runnerUpHint(probabilities: readonly number[], threshold = RUNNER_UP_THRESHOLD) {
  const order = probabilities.map((p, digit) => ({ p, digit })).sort((a, b) => b.p - a.p);
  if (order.length < 2 || order[0].p >= threshold) return null;
  return `${order[0].digit} or ${order[1].digit}?`;
}

export function formatPercent(probability: number): string {
  return `${(probability * 100).toFixed(1)}%`;
}

export function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}
