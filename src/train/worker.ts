// A training worker thread: its own engine (and wasm backend, for the TF.js ones), a share of
// every batch, and shared memory with the other workers (see parallel.ts for the main thread's
// side).
import { parentPort, workerData } from "node:worker_threads";
import type { StepStats } from "../model/loss.ts";
import { createRng } from "../util/rng.ts";
import { createEngine } from "./engines/create-engine.ts";
import { PREDICT_CHUNK } from "./engines/engine.ts";
import { CONTROL, type SharedSetup, type WorkerCommand, type WorkerReply } from "./shared-setup.ts";
import { WorkerContext } from "./worker-context.ts";

const port = parentPort;
if (!port) throw new Error("worker.ts runs as a worker thread");
const ctx = new WorkerContext(workerData as SharedSetup);
const { setup } = ctx;
const live = new Float64Array(setup.live);

const engine = await createEngine(ctx, setup.engine);

function runEpoch(epoch: number, samples: number, stepsBefore: number, rate: number): WorkerReply {
  // This epoch's learning rate (a decaying schedule); the engines read it at every step.
  setup.optimizer.learningRate = rate;
  // Dropout draws from Math.random: seeding it per epoch and worker keeps runs, resumed ones
  // too, repeatable. Augmentation gets its own generator.
  Math.random = createRng(setup.seed * 7919 + epoch * 131 + setup.workerIndex * 17 + 1);
  engine.seedEpoch(setup.seed * 104729 + epoch * 613 + setup.workerIndex);
  engine.sync();
  const steps = Math.ceil(samples / setup.batchSize);
  const total: StepStats = { loss: 0, correct: 0 };
  let count = 0;
  for (let step = 0; step < steps; step++) {
    const start = step * setup.batchSize;
    const batch = Math.min(setup.batchSize, samples - start);
    const stats = engine.trainStep(start, batch, stepsBefore + step + 1);
    if (!stats) return { type: "done", ...total, count, stopped: true };
    total.loss += stats.loss;
    total.correct += stats.correct;
    const [lo, hi] = ctx.share(batch);
    count += hi - lo;
    if (setup.workerIndex === 0) {
      live[0] = total.loss;
      live[1] = total.correct;
      live[2] = count;
      Atomics.store(ctx.control, CONTROL.progress, step + 1);
    }
  }
  return { type: "done", ...total, count, stopped: false };
}

function evaluate(): WorkerReply {
  engine.sync();
  const [lo, hi] = ctx.share(setup.evalCount);
  const total: StepStats = { loss: 0, correct: 0 };
  for (let from = lo; from < hi; from += PREDICT_CHUNK) {
    const stats = engine.predict(from, Math.min(PREDICT_CHUNK, hi - from));
    total.loss += stats.loss;
    total.correct += stats.correct;
  }
  return { type: "done", ...total, count: hi - lo, stopped: false };
}

port.on("message", (command: WorkerCommand) => {
  try {
    const reply =
      command.type === "epoch"
        ? runEpoch(command.epoch, command.samples, command.stepsBefore, command.rate)
        : evaluate();
    port.postMessage(reply);
  } catch (error) {
    Atomics.store(ctx.control, CONTROL.stop, 1);
    Atomics.notify(ctx.control, CONTROL.generation);
    port.postMessage({ type: "error", message: (error as Error).message } satisfies WorkerReply);
  }
});
port.postMessage({ type: "ready" } satisfies WorkerReply);
