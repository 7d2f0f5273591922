// Connectionist temporal classification over a line reader's frames: frame t holds CLASSES
// scores, the ten digits and a blank (the last class). A string's likelihood sums every way of
// spelling it along the frames (a digit held over several frames, blanks between); the reading is
// the best frame-by-frame path with repeats merged and blanks dropped.

export const CLASSES = 11;
export const BLANK = CLASSES - 1;

/** log(e^a + e^b), exact for -Infinity. */
export function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** Each frame's scores as log-probabilities (a log-softmax per frame), T × CLASSES. */
export function frameLogProbabilities(
  scores: ArrayLike<number>,
  offset = 0,
  frames = (scores.length - offset) / CLASSES,
): Float64Array {
  const out = new Float64Array(frames * CLASSES);
  for (let t = 0; t < frames; t++) {
    const at = offset + t * CLASSES;
    let max = -Infinity;
    for (let k = 0; k < CLASSES; k++) max = Math.max(max, scores[at + k]);
    let sum = 0;
    for (let k = 0; k < CLASSES; k++) sum += Math.exp(scores[at + k] - max);
    const z = max + Math.log(sum);
    for (let k = 0; k < CLASSES; k++) out[t * CLASSES + k] = scores[at + k] - z;
  }
  return out;
}

/** The label with blanks around and between its digits, as CTC's states run through it. */
export function blankedLabel(digits: readonly number[]): number[] {
  const states = [BLANK];
  for (const d of digits) states.push(d, BLANK);
  return states;
}

/** May the path skip from state s − 2 to s (a digit after a different digit, past a blank)? */
export function canSkip(states: readonly number[], s: number): boolean {
  return s > 1 && states[s] !== BLANK && states[s] !== states[s - 2];
}

/** The forward variables log α[t][s] (T × states), log-probability of the first t frames ending in s. */
export function forward(logp: Float64Array, states: readonly number[]): Float64Array {
  const frames = logp.length / CLASSES;
  const S = states.length;
  const alpha = new Float64Array(frames * S).fill(-Infinity);
  if (frames === 0) return alpha;
  alpha[0] = logp[states[0]];
  if (S > 1) alpha[1] = logp[states[1]];
  for (let t = 1; t < frames; t++) {
    for (let s = 0; s < S; s++) {
      let a = alpha[(t - 1) * S + s];
      if (s > 0) a = logAdd(a, alpha[(t - 1) * S + s - 1]);
      if (canSkip(states, s)) a = logAdd(a, alpha[(t - 1) * S + s - 2]);
      alpha[t * S + s] = a + logp[t * CLASSES + states[s]];
    }
  }
  return alpha;
}

/** log P(label | frames) from the forward variables: the paths ending in the last digit or blank. */
export function endLogLikelihood(alpha: Float64Array, states: readonly number[]): number {
  const S = states.length;
  const last = alpha.length - S;
  if (last < 0) return -Infinity;
  return logAdd(alpha[last + S - 1], S > 1 ? alpha[last + S - 2] : -Infinity);
}

/** log P(digits | frames): -Infinity when the frames are too few to spell them. */
export function logLikelihood(logp: Float64Array, digits: readonly number[]): number {
  const states = blankedLabel(digits);
  return endLogLikelihood(forward(logp, states), states);
}

/** One digit of the best path: the frames [first, last] it was read in. */
export interface PathDigit {
  digit: number;
  first: number;
  last: number;
}

/** The best frame-by-frame path, repeats merged and blanks dropped. */
export function bestPath(logp: Float64Array): PathDigit[] {
  const frames = logp.length / CLASSES;
  const digits: PathDigit[] = [];
  let previous = BLANK;
  for (let t = 0; t < frames; t++) {
    let best = 0;
    for (let k = 1; k < CLASSES; k++)
      if (logp[t * CLASSES + k] > logp[t * CLASSES + best]) best = k;
    if (best !== BLANK) {
      if (best === previous) digits[digits.length - 1].last = t;
      else digits.push({ digit: best, first: t, last: t });
    }
    previous = best;
  }
  return digits;
}
