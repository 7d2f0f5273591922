// The CTC loss of a batch of line-reader frames and its gradient with respect to the frame
// scores, for scripts/train-line-reader.ts (TF.js has no CTC loss). The gradient is checked
// against finite differences in test/train/ctc-loss.test.ts.
import {
  blankedLabel,
  CLASSES,
  canSkip,
  endLogLikelihood,
  forward,
  frameLogProbabilities,
  logAdd,
} from "../recognize/ctc.ts";

/** The backward variables log β[t][s]: the frames from t on, starting in state s (frame t counted). */
function backward(logp: Float64Array, states: readonly number[]): Float64Array {
  const frames = logp.length / CLASSES;
  const S = states.length;
  const beta = new Float64Array(frames * S).fill(-Infinity);
  const end = (frames - 1) * S;
  beta[end + S - 1] = logp[(frames - 1) * CLASSES + states[S - 1]];
  if (S > 1) beta[end + S - 2] = logp[(frames - 1) * CLASSES + states[S - 2]];
  for (let t = frames - 2; t >= 0; t--) {
    for (let s = 0; s < S; s++) {
      let b = beta[(t + 1) * S + s];
      if (s < S - 1) b = logAdd(b, beta[(t + 1) * S + s + 1]);
      // The forward pass's skip from s to s + 2, run backwards.
      if (s < S - 2 && canSkip(states, s + 2)) b = logAdd(b, beta[(t + 1) * S + s + 2]);
      beta[t * S + s] = b + logp[t * CLASSES + states[s]];
    }
  }
  return beta;
}

/**
 * The mean loss −log P(label | frames) over the batch (scores: batch × frames × CLASSES) and its
 * gradient (the same layout, already divided by the batch size). A label the frames cannot spell
 * adds nothing.
 */
export function ctcLoss(
  scores: Float32Array,
  frames: number,
  labels: readonly (readonly number[])[],
): { loss: number; gradient: Float32Array } {
  const gradient = new Float32Array(scores.length);
  let total = 0;
  const size = frames * CLASSES;
  for (const [b, label] of labels.entries()) {
    const logp = frameLogProbabilities(scores, b * size, frames);
    const states = blankedLabel(label);
    const S = states.length;
    const alpha = forward(logp, states);
    const beta = backward(logp, states);
    const logP = endLogLikelihood(alpha, states);
    if (!Number.isFinite(logP)) continue;
    total -= logP;
    for (let t = 0; t < frames; t++) {
      // α·β counts frame t's own probability twice.
      const occupancy = new Float64Array(CLASSES).fill(-Infinity);
      for (let s = 0; s < S; s++) {
        const k = states[s];
        occupancy[k] = logAdd(
          occupancy[k],
          alpha[t * S + s] + beta[t * S + s] - logp[t * CLASSES + k],
        );
      }
      for (let k = 0; k < CLASSES; k++) {
        const p = Math.exp(logp[t * CLASSES + k]) - Math.exp(occupancy[k] - logP);
        gradient[b * size + t * CLASSES + k] = p / labels.length;
      }
    }
  }
  return { loss: total / Math.max(1, labels.length), gradient };
}
