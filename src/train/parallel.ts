import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { Dataset } from "../data/mnist.ts";
import type { Architecture } from "../model/architectures.ts";
import { createRng, shuffleInPlace } from "../util/rng.ts";
import {
  chooseEngine,
  describeEngine,
  type EngineChoice,
  type StateLayout,
  stateLayout,
} from "./engines/choice.ts";
import {
  type DenseLayout,
  denseLayout,
  exchangeLayout,
  fromDenseOrder,
  toDenseOrder,
} from "./engines/dense-layout.ts";
import { type OptimizerConfig, stateSlots } from "./optimizers.ts";
import { CONTROL, type SharedSetup, type WorkerCommand, type WorkerReply } from "./shared-setup.ts";

export interface ParallelOptions {
  model: tfl.LayersModel;
  arch: Architecture;
  dropout: number;
  optimizer: OptimizerConfig;
  /** The learning rate of epoch e (from 0) is optimizer.learningRate · lrDecay^e. */
  lrDecay?: number;
  batchSize: number;
  seed: number;
  augment: boolean;
  train: Dataset;
  /** The set scored after each epoch (validation) and at the end. */
  evalSet: Dataset;
  workers?: number;
  /** Optimizer state to continue from (resume); zeros otherwise. */
  optimizerState?: Float32Array;
  /**
   * Run the Dense engine (or the CNN) on the native kernels: true requires them to be built,
   * false never uses them; unset, uses them when built unless DIGITKIT_NATIVE=0. Models that
   * neither native engine handles (an MLP with dropout) train on TF.js autodiff either way,
   * and the engine's description says why (engines/choice.ts).
   */
  native?: boolean;
}

export interface PassResult {
  loss: number;
  acc: number;
  stopped: boolean;
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(bytes, 8));
}

function sharedCopy(data: Uint8Array): SharedArrayBuffer {
  const buffer = shared(data.length);
  new Uint8Array(buffer).set(data);
  return buffer;
}

/**
 * Data-parallel training on worker threads (the wasm backend is single-threaded in Node, so this
 * is how both cores work): each worker computes the gradient of its share of every batch, the
 * shares are summed in a fixed order (runs repeat bit for bit), and every worker updates its own
 * slice of the shared parameters.
 */
export class ParallelTrainer {
  readonly params: Float32Array;
  readonly state: Float32Array;
  readonly predictions: Uint8Array;
  private readonly control: Int32Array;
  private readonly live: Float64Array;
  private readonly order: Int32Array;
  private readonly workers: Worker[];
  private readonly options: ParallelOptions;
  private readonly layout: DenseLayout | undefined;
  /** The engine every worker runs (chosen once, in create). */
  readonly choice: EngineChoice;

  private constructor(
    options: ParallelOptions,
    setup: Omit<SharedSetup, "workerIndex">,
    layout: DenseLayout | undefined,
  ) {
    this.options = options;
    this.layout = layout;
    this.choice = setup.engine;
    this.params = new Float32Array(setup.params);
    this.state = new Float32Array(setup.state);
    this.predictions = new Uint8Array(setup.predictions);
    this.control = new Int32Array(setup.control);
    this.live = new Float64Array(setup.live);
    this.order = new Int32Array(setup.order);
    const entry = new URL("./worker-entry.mjs", import.meta.url);
    this.workers = Array.from(
      { length: setup.workers },
      (_, workerIndex) => new Worker(entry, { workerData: { ...setup, workerIndex } }),
    );
  }

  static async create(options: ParallelOptions): Promise<ParallelTrainer> {
    const { model, train, evalSet } = options;
    const paramCount = model.countParams();
    const workers = options.workers ?? 2;
    const engine = chooseEngine(model, options);
    const slots = stateSlots(options.optimizer.name);
    const dense = engine.kind === "native-dense" || engine.kind === "wasm-dense";
    const layout = dense ? denseLayout(engine.sizes) : undefined;
    const exchangeSize = layout ? exchangeLayout(layout, options.batchSize).size : 0;
    const setup: Omit<SharedSetup, "workerIndex"> = {
      workers,
      engine,
      optimizer: options.optimizer,
      batchSize: options.batchSize,
      seed: options.seed,
      augment: options.augment,
      pixels: train.rows * train.cols,
      control: shared(CONTROL.size * 4),
      live: shared(3 * 8),
      params: shared(paramCount * 4),
      state: shared(paramCount * slots * 4),
      // The Dense engines need no gradient buffers (see wasm-dense-engine.ts), the others no
      // mirror, nor does the native one (it reads Wᵀ with swapped strides).
      grads: shared(layout ? 0 : paramCount * workers * 4),
      mirror: shared((layout && engine.kind === "wasm-dense" ? layout.mirrorSize : 0) * 4),
      exchange: shared(exchangeSize * 4),
      order: shared(train.count * 4),
      trainImages: sharedCopy(train.images),
      trainLabels: sharedCopy(train.labels),
      trainCount: train.count,
      evalImages: sharedCopy(evalSet.images),
      evalLabels: sharedCopy(evalSet.labels),
      evalCount: evalSet.count,
      predictions: shared(evalSet.count),
    };
    const trainer = new ParallelTrainer(options, setup, layout);
    const flat = new Float32Array(paramCount);
    let offset = 0;
    for (const w of model.getWeights()) {
      flat.set(w.dataSync() as Float32Array, offset);
      offset += w.size;
    }
    trainer.params.set(layout ? toDenseOrder(flat, layout) : flat);
    if (options.optimizerState?.length === trainer.state.length) {
      trainer.state.set(options.optimizerState);
    }
    await Promise.all(trainer.workers.map((w) => trainer.reply(w)));
    return trainer;
  }

  private reply(worker: Worker): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerReply) => {
        cleanup();
        if (message.type === "error") reject(new Error(`training worker: ${message.message}`));
        else resolve(message);
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`training worker exited (${code})`));
      };
      const cleanup = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
  }

  private async broadcast(command: WorkerCommand): Promise<PassResult & { count: number }> {
    const replies = this.workers.map((w) => this.reply(w));
    for (const w of this.workers) w.postMessage(command);
    const done = await Promise.all(replies);
    let loss = 0;
    let correct = 0;
    let count = 0;
    let stopped = false;
    for (const r of done) {
      if (r.type !== "done") continue;
      loss += r.loss;
      correct += r.correct;
      count += r.count;
      stopped ||= r.stopped;
    }
    return { loss: loss / count, acc: correct / count, stopped, count };
  }

  /**
   * The optimizer state's layout: the hand-written Dense engines', the native CNN's or TF.js
   * autodiff's (the last two alike: the model's weights in order).
   */
  get engine(): StateLayout {
    return stateLayout(this.choice);
  }

  /** What does the arithmetic, in words (training header, training.json). */
  get kernels(): string {
    return describeEngine(this.choice);
  }

  /** Number of optimizer steps in one epoch. */
  get stepsPerEpoch(): number {
    return Math.ceil(this.options.train.count / this.options.batchSize);
  }

  /**
   * Trains one epoch over the training set in an order drawn from (seed, epoch), so a resumed
   * run sees the same batches as an uninterrupted one. `onProgress` gets steps done so far.
   */
  async runEpoch(
    epoch: number,
    onProgress?: (steps: number, loss: number, acc: number) => void,
  ): Promise<PassResult> {
    const n = this.options.train.count;
    for (let i = 0; i < n; i++) this.order[i] = i;
    shuffleInPlace(this.order, createRng(this.options.seed * 1000003 + epoch));
    Atomics.store(this.control, CONTROL.progress, 0);
    this.live.fill(0);
    const report = () => {
      const [loss, correct, count] = this.live;
      onProgress?.(Atomics.load(this.control, CONTROL.progress), loss / count, correct / count);
    };
    const timer = onProgress ? setInterval(report, 200) : undefined;
    try {
      const stepsBefore = epoch * this.stepsPerEpoch;
      const { learningRate } = this.options.optimizer;
      const rate = learningRate * (this.options.lrDecay ?? 1) ** epoch;
      return await this.broadcast({ type: "epoch", epoch, samples: n, stepsBefore, rate });
    } finally {
      if (timer) clearInterval(timer);
    }
  }

  /** Scores the evaluation set with the current parameters; fills `predictions`. */
  evaluate(): Promise<PassResult> {
    return this.broadcast({ type: "evaluate" });
  }

  /** Asks the workers to stop at their next step (Ctrl-C); the epoch then reports stopped. */
  stop(): void {
    Atomics.store(this.control, CONTROL.stop, 1);
    Atomics.notify(this.control, CONTROL.generation);
  }

  /** Copies the shared parameters into a Layers model. */
  copyParamsTo(model: tfl.LayersModel): void {
    const flat = this.layout ? fromDenseOrder(this.params, this.layout) : this.params.slice();
    let offset = 0;
    const tensors = model.getWeights().map((w) => {
      const t = tf.tensor(flat.subarray(offset, offset + w.size), w.shape);
      offset += w.size;
      return t;
    });
    model.setWeights(tensors);
    tf.dispose(tensors);
  }

  async close(): Promise<void> {
    this.stop();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
