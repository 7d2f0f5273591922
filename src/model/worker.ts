// A training worker thread: its own wasm backend, its own replica of the model, and a share of
// every batch. All workers meet at a barrier after computing gradients, each then applies the
// optimizer to its own slice of the shared parameters, and they meet again before the next step.
import { parentPort, workerData } from "node:worker_threads";
import { augmentBatch } from "../data/augment.ts";
import { createRng } from "../util/rng.ts";
import { buildModel } from "./architectures.ts";
import { useWasmBackend } from "./backend.ts";
import { DenseKernel } from "./dense-kernel.ts";
import type { GradientKernel, StepStats } from "./kernel.ts";
import { LayersKernel } from "./layers-kernel.ts";
import { applyUpdate } from "./optimizers.ts";
import { CONTROL, type SharedSetup, type WorkerCommand, type WorkerReply } from "./shared.ts";

const setup = workerData as SharedSetup;
const port = parentPort;
if (!port) throw new Error("worker.ts runs as a worker thread");

const control = new Int32Array(setup.control);
const params = new Float32Array(setup.params);
const state = new Float32Array(setup.state);
const paramCount = params.length;
const grads = Array.from(
  { length: setup.workers },
  (_, w) => new Float32Array(setup.grads, w * paramCount * 4, paramCount),
);
const order = new Int32Array(setup.order);
const trainImages = new Uint8Array(setup.trainImages);
const trainLabels = new Uint8Array(setup.trainLabels);
const evalImages = new Uint8Array(setup.evalImages);
const evalLabels = new Uint8Array(setup.evalLabels);
const predictions = new Uint8Array(setup.predictions);

/** All workers wait here until the last one arrives (generation barrier on Atomics). */
function barrier(): boolean {
  const generation = Atomics.load(control, CONTROL.generation);
  if (Atomics.add(control, CONTROL.arrived, 1) === setup.workers - 1) {
    Atomics.store(control, CONTROL.arrived, 0);
    Atomics.add(control, CONTROL.generation, 1);
    Atomics.notify(control, CONTROL.generation);
  } else {
    while (Atomics.load(control, CONTROL.generation) === generation) {
      if (Atomics.load(control, CONTROL.stop) !== 0) return false;
      Atomics.wait(control, CONTROL.generation, generation, 200);
    }
  }
  return Atomics.load(control, CONTROL.stop) === 0;
}

/** This worker's part [lo, hi) of n items: contiguous, sizes differing by at most one. */
function share(n: number, index = setup.workerIndex): [number, number] {
  const lo = Math.floor((n * index) / setup.workers);
  return [lo, Math.floor((n * (index + 1)) / setup.workers)];
}

function makeKernel(): GradientKernel {
  if (setup.fastDense) return new DenseKernel(setup.denseSizes);
  return new LayersKernel(buildModel(setup.arch, { dropout: setup.dropout }));
}

await useWasmBackend();
const kernel = makeKernel();
const maxPart = Math.ceil(setup.batchSize / setup.workers);
const x = new Float32Array(Math.max(maxPart, 1024) * setup.pixels);
const labels = new Uint8Array(Math.max(maxPart, 1024));

function loadSamples(indices: ArrayLike<number>, from: number, to: number): number {
  const p = setup.pixels;
  for (let k = 0; k < to - from; k++) {
    const src = indices[from + k] * p;
    const dst = k * p;
    for (let j = 0; j < p; j++) x[dst + j] = trainImages[src + j] / 255;
    labels[k] = trainLabels[indices[from + k]];
  }
  return to - from;
}

function runEpoch(epoch: number, samples: number, stepsBefore: number): WorkerReply {
  // Dropout draws from Math.random; seeding it per epoch and worker keeps runs (and resumed
  // runs) repeatable.
  Math.random = createRng(setup.seed * 7919 + epoch * 131 + setup.workerIndex * 17 + 1);
  const rng = createRng(setup.seed * 104729 + epoch * 613 + setup.workerIndex);
  const steps = Math.ceil(samples / setup.batchSize);
  const total: StepStats = { loss: 0, correct: 0 };
  let count = 0;
  const [plo, phi] = share(paramCount);
  for (let step = 0; step < steps; step++) {
    const start = step * setup.batchSize;
    const batch = Math.min(setup.batchSize, samples - start);
    const [lo, hi] = share(batch);
    const n = loadSamples(order, start + lo, start + hi);
    if (setup.augment) augmentBatch(x.subarray(0, n * setup.pixels), n, rng);
    kernel.setParams(params);
    const s = kernel.gradients(x, labels, n, batch, grads[setup.workerIndex]);
    total.loss += s.loss;
    total.correct += s.correct;
    count += n;
    if (!barrier()) return { type: "done", ...total, count, stopped: true };
    applyUpdate(setup.optimizer, params, state, grads, plo, phi, stepsBefore + step + 1);
    if (!barrier()) return { type: "done", ...total, count, stopped: true };
    if (setup.workerIndex === 0) Atomics.store(control, CONTROL.progress, step + 1);
  }
  return { type: "done", ...total, count, stopped: false };
}

function evaluate(): WorkerReply {
  kernel.setParams(params);
  const [lo, hi] = share(setup.evalCount);
  const total: StepStats = { loss: 0, correct: 0 };
  const chunk = 1024;
  for (let from = lo; from < hi; from += chunk) {
    const n = Math.min(chunk, hi - from);
    const p = setup.pixels;
    for (let j = 0; j < n * p; j++) x[j] = evalImages[from * p + j] / 255;
    labels.set(evalLabels.subarray(from, from + n));
    const s = kernel.predict(x, labels, n, predictions.subarray(from, from + n));
    total.loss += s.loss;
    total.correct += s.correct;
  }
  return { type: "done", ...total, count: hi - lo, stopped: false };
}

port.on("message", (command: WorkerCommand) => {
  try {
    const reply =
      command.type === "epoch"
        ? runEpoch(command.epoch, command.samples, command.stepsBefore)
        : evaluate();
    port.postMessage(reply);
  } catch (error) {
    Atomics.store(control, CONTROL.stop, 1);
    Atomics.notify(control, CONTROL.generation);
    port.postMessage({ type: "error", message: (error as Error).message } satisfies WorkerReply);
  }
});
port.postMessage({ type: "ready" } satisfies WorkerReply);
