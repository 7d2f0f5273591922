import { augmentBatch } from "../data/augment.ts";
import type { Rng } from "../util/rng.ts";
import { CONTROL, type SharedSetup } from "./shared-setup.ts";

/**
 * A worker's views of the shared memory, and the two ways workers coordinate: a barrier, and a
 * fixed split of any range into contiguous shares (so every run divides work the same way).
 */
export class WorkerContext {
  readonly setup: SharedSetup;
  readonly control: Int32Array;
  readonly params: Float32Array;
  readonly state: Float32Array;
  readonly mirror: Float32Array;
  readonly exchange: Float32Array;
  readonly order: Int32Array;
  readonly trainImages: Uint8Array;
  readonly trainLabels: Uint8Array;
  readonly evalImages: Uint8Array;
  readonly evalLabels: Uint8Array;
  readonly predictions: Uint8Array;

  constructor(setup: SharedSetup) {
    this.setup = setup;
    this.control = new Int32Array(setup.control);
    this.params = new Float32Array(setup.params);
    this.state = new Float32Array(setup.state);
    this.mirror = new Float32Array(setup.mirror);
    this.exchange = new Float32Array(setup.exchange);
    this.order = new Int32Array(setup.order);
    this.trainImages = new Uint8Array(setup.trainImages);
    this.trainLabels = new Uint8Array(setup.trainLabels);
    this.evalImages = new Uint8Array(setup.evalImages);
    this.evalLabels = new Uint8Array(setup.evalLabels);
    this.predictions = new Uint8Array(setup.predictions);
  }

  get stopped(): boolean {
    return Atomics.load(this.control, CONTROL.stop) !== 0;
  }

  /** Waits until every worker has arrived; false when training was stopped meanwhile. */
  barrier(): boolean {
    const { control } = this;
    const generation = Atomics.load(control, CONTROL.generation);
    if (Atomics.add(control, CONTROL.arrived, 1) === this.setup.workers - 1) {
      Atomics.store(control, CONTROL.arrived, 0);
      Atomics.add(control, CONTROL.generation, 1);
      Atomics.notify(control, CONTROL.generation);
    } else {
      while (Atomics.load(control, CONTROL.generation) === generation) {
        if (this.stopped) return false;
        Atomics.wait(control, CONTROL.generation, generation, 200);
      }
    }
    return !this.stopped;
  }

  /**
   * Loads the n training items at order[start + lo …] into `x` (pixels scaled to [0, 1]) and
   * `labels`, and augments them with `rng` when the run asks for it.
   */
  loadTrainBatch(
    start: number,
    lo: number,
    n: number,
    x: Float32Array,
    labels: Uint8Array,
    rng: Rng,
  ): void {
    const { pixels } = this.setup;
    const images = this.trainImages;
    for (let k = 0; k < n; k++) {
      const index = this.order[start + lo + k];
      labels[k] = this.trainLabels[index];
      const from = index * pixels;
      const to = k * pixels;
      for (let j = 0; j < pixels; j++) x[to + j] = images[from + j] / 255;
    }
    if (this.setup.augment) augmentBatch(x.subarray(0, n * pixels), n, rng);
  }

  /** Loads the n evaluation images from index `from` on into `x`, pixels scaled to [0, 1]. */
  loadEvalBatch(from: number, n: number, x: Float32Array): void {
    const { pixels } = this.setup;
    const images = this.evalImages;
    const offset = from * pixels;
    for (let j = 0; j < n * pixels; j++) x[j] = images[offset + j] / 255;
  }

  /** This worker's share [lo, hi) of n items: contiguous, sizes differing by at most one. */
  share(n: number, index = this.setup.workerIndex): [number, number] {
    const { workers } = this.setup;
    return [Math.floor((n * index) / workers), Math.floor((n * (index + 1)) / workers)];
  }
}
