import type { StepStats } from "../../model/loss.ts";

/** Engine.predict is called on at most this many samples at a time (engines size buffers by it). */
export const PREDICT_CHUNK = 1000;

/** How a worker trains and predicts; one engine per worker thread. */
export interface Engine {
  /**
   * One optimizer step on samples order[start .. start+batch) (this worker takes its share).
   * `step` counts updates from 1. Returns this worker's stats, or undefined when stopped.
   */
  trainStep(start: number, batch: number, step: number): StepStats | undefined;
  /** Scores evaluation samples [from, from+n), n ≤ PREDICT_CHUNK, writing argmax predictions. */
  predict(from: number, n: number): StepStats;
  /** Called by all workers at the start of every epoch and evaluation. */
  sync(): void;
  /** Seeds the augmentation's random numbers for an epoch. */
  seedEpoch(seed: number): void;
}
