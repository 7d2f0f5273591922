import type { EngineChoice } from "./engines/choice.ts";
import type { OptimizerConfig } from "./optimizers.ts";

/** Slots of the Int32 control array shared by the main thread and the training workers. */
export const CONTROL = {
  /** Barrier generation, bumped each time all workers have arrived. */
  generation: 0,
  /** How many workers have arrived at the current barrier. */
  arrived: 1,
  /** Steps done in the current epoch (for the progress bar). */
  progress: 2,
  /** Set to 1 to make the workers stop at the next step. */
  stop: 3,
  size: 8,
} as const;

/**
 * Everything a training worker shares with the others, passed once as workerData. The big arrays
 * are SharedArrayBuffers: the data set (read only), the parameters and optimizer state (each
 * worker updates its own slice), one gradient buffer per worker, and the epoch's sample order.
 */
export interface SharedSetup {
  workerIndex: number;
  workers: number;
  /** The engine every worker builds (chosen once, in parallel.ts). */
  engine: EngineChoice;
  optimizer: OptimizerConfig;
  batchSize: number;
  seed: number;
  augment: boolean;
  pixels: number;
  control: SharedArrayBuffer;
  /** Float64 [loss sum, correct, samples] of worker 0's share so far this epoch (progress bar). */
  live: SharedArrayBuffer;
  params: SharedArrayBuffer;
  state: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  /** Dense engine only: W of the layers after the first (see dense-layout.ts). */
  mirror: SharedArrayBuffer;
  /** Dense engine only: per-batch exchange buffers (see dense-layout.ts). */
  exchange: SharedArrayBuffer;
  order: SharedArrayBuffer;
  trainImages: SharedArrayBuffer;
  trainLabels: SharedArrayBuffer;
  trainCount: number;
  evalImages: SharedArrayBuffer;
  evalLabels: SharedArrayBuffer;
  evalCount: number;
  predictions: SharedArrayBuffer;
}

/** Messages from the main thread to a worker. */
export type WorkerCommand =
  | { type: "epoch"; epoch: number; samples: number; stepsBefore: number; rate: number }
  | { type: "evaluate" };

/** Messages from a worker to the main thread. */
export type WorkerReply =
  | { type: "ready" }
  | { type: "done"; loss: number; correct: number; count: number; stopped: boolean }
  | { type: "error"; message: string };
