/**
 * The optimizers, written over flat Float32Arrays so that each worker thread can update its own
 * slice of the shared parameters in place. Formulas and defaults follow Keras (the tutorial's
 * framework): RMSprop divides by √ms + ε (TF.js's tf.train.rmsprop uses √(ms + ε), which damps
 * steps of weights whose gradients are tiny), Adam as Keras and TF.js both do.
 */
import type { OptimizerName } from "../model/recipes.ts";

export { OPTIMIZERS, type OptimizerName } from "../model/recipes.ts";

export interface OptimizerConfig {
  name: OptimizerName;
  learningRate: number;
}

/** Keras's and TF.js's default learning rates (the tutorial: RMSprop 0.001). */
export function defaultLearningRate(name: OptimizerName): number {
  return name === "sgd" ? 0.01 : 0.001;
}

/** How many floats of state the optimizer keeps per parameter. */
export function stateSlots(name: OptimizerName): number {
  return name === "adam" ? 2 : name === "rmsprop" ? 1 : 0;
}

const EPSILON = 1e-7;
const RHO = 0.9;
const BETA1 = 0.9;
const BETA2 = 0.999;

/**
 * Applies one update to params[lo..hi) with gradient g0 + g1 (two halves of the batch, summed in
 * a fixed order so runs repeat bit for bit). `step` counts updates from 1 (Adam's bias correction).
 */
export function applyUpdate(
  config: OptimizerConfig,
  params: Float32Array,
  state: Float32Array,
  grads: Float32Array[],
  lo: number,
  hi: number,
  step: number,
): void {
  if (grads.length === 1) {
    applyUpdateOne(config, params, state, grads[0], lo, hi, step);
    return;
  }
  const lr = config.learningRate;
  const n = params.length;
  const g0 = grads[0];
  const g1 = grads.length > 1 ? grads[1] : undefined;
  if (config.name === "rmsprop") {
    for (let i = lo; i < hi; i++) {
      const g = g1 ? g0[i] + g1[i] : g0[i];
      const ms = RHO * state[i] + (1 - RHO) * g * g;
      state[i] = ms;
      params[i] -= (lr * g) / (Math.sqrt(ms) + EPSILON);
    }
  } else if (config.name === "adam") {
    const c1 = 1 - BETA1 ** step;
    const c2 = 1 - BETA2 ** step;
    const alpha = (lr * Math.sqrt(c2)) / c1;
    for (let i = lo; i < hi; i++) {
      const g = g1 ? g0[i] + g1[i] : g0[i];
      const m = BETA1 * state[i] + (1 - BETA1) * g;
      const v = BETA2 * state[n + i] + (1 - BETA2) * g * g;
      state[i] = m;
      state[n + i] = v;
      params[i] -= (alpha * m) / (Math.sqrt(v) + EPSILON);
    }
  } else {
    for (let i = lo; i < hi; i++) {
      params[i] -= lr * (g1 ? g0[i] + g1[i] : g0[i]);
    }
  }
}

/**
 * The same updates with a single gradient array, in loops without the per-element choice (about
 * a third faster; the Dense engine's case). Same arithmetic, so the same bits.
 */
function applyUpdateOne(
  config: OptimizerConfig,
  params: Float32Array,
  state: Float32Array,
  grad: Float32Array,
  lo: number,
  hi: number,
  step: number,
): void {
  const lr = config.learningRate;
  const n = params.length;
  if (config.name === "rmsprop") {
    for (let i = lo; i < hi; i++) {
      const g = grad[i];
      const ms = RHO * state[i] + (1 - RHO) * g * g;
      state[i] = ms;
      params[i] -= (lr * g) / (Math.sqrt(ms) + EPSILON);
    }
  } else if (config.name === "adam") {
    const alpha = (lr * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step);
    for (let i = lo; i < hi; i++) {
      const g = grad[i];
      const m = BETA1 * state[i] + (1 - BETA1) * g;
      const v = BETA2 * state[n + i] + (1 - BETA2) * g * g;
      state[i] = m;
      state[n + i] = v;
      params[i] -= (alpha * m) / (Math.sqrt(v) + EPSILON);
    }
  } else {
    for (let i = lo; i < hi; i++) params[i] -= lr * grad[i];
  }
}
