import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, rm, stat } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, resolve as resolvePath } from "node:path";
import type * as tfl from "@tensorflow/tfjs-layers";
import { type Dataset, loadMnist } from "../data/mnist.ts";
import { type Architecture, buildModel } from "../model/architectures.ts";
import {
  type EpochRecord,
  loadCheckpoint,
  readCheckpointFile,
  readTrainingInfo,
  saveCheckpoint,
  settleCheckpoint,
  type TrainingInfo,
} from "../model/checkpoint.ts";
import { confusionMatrix, type Evaluation, evaluateModel } from "../model/evaluate.ts";
import { modelSummary } from "../model/summary.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { checkpointFile } from "../util/commit-files.ts";
import { UserError } from "../util/errors.ts";
import { describeWriteError, isFsError } from "../util/fs-errors.ts";
import { printable } from "../util/printable.ts";
import { formatBytes } from "../util/read-file.ts";
import { useWasmBackend } from "./engines/tfjs-wasm-backend.ts";
import { IdleCoreProbe } from "./idle-cores.ts";
import { defaultLearningRate, type OptimizerName, stateSlots } from "./optimizers.ts";
import { ParallelTrainer } from "./parallel.ts";
import { EpochProgress, formatDuration } from "./progress.ts";
import { trainingReport } from "./report.ts";

export interface TrainOptions {
  arch: Architecture;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate?: number;
  /** Multiply the learning rate by this after every epoch (default 1: constant). */
  lrDecay?: number;
  seed: number;
  dropout: number;
  augment: boolean;
  dataDir?: string;
  out: string;
  /** Continue from the checkpoint in `out` (its settings win over the ones given here). */
  resume: boolean;
  workers?: number;
  /** Use only the first N training / test samples (quick runs, tests). */
  limitTrain?: number;
  limitTest?: number;
  /** How the run was started, recorded in training.json. */
  trainingCommand: string;
  /** Aborting stops training after cleaning up; the last completed epoch stays on disk. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Show a progress bar per epoch (on stdout). */
  progress?: boolean;
  /**
   * Native kernels for the Dense engine and the CNN: required (true), never (false), when built
   * and DIGITKIT_NATIVE is not 0 (unset).
   */
  native?: boolean;
}

export interface TrainResult {
  model: tfl.LayersModel;
  info: TrainingInfo;
  /** Final evaluation on the test set, or undefined when stopped early. */
  evaluation?: Evaluation;
  stopped: boolean;
}

export const VALIDATION_NOTE = "test set (as validation_data in the Keras example)";
const OPTIMIZER_FILE = "optimizer.bin";

/** How the learning rate changes, for the header and the report ("" when constant). */
function decayNote(decay: number): string {
  return decay === 1 ? "" : ` (×${decay} after each epoch)`;
}

function limit(data: Dataset, count: number | undefined): Dataset {
  if (count === undefined || count >= data.count) return data;
  const pixels = data.rows * data.cols;
  return {
    ...data,
    count,
    images: data.images.subarray(0, count * pixels),
    labels: data.labels.subarray(0, count),
  };
}

/** The final Evaluation from the last validation pass over `test` (predictions per sample). */
function validationScore(
  val: { loss: number; acc: number },
  predictions: Uint8Array,
  test: Dataset,
): Evaluation {
  const predicted = predictions.slice(0, test.count);
  return {
    n: test.count,
    loss: val.loss,
    accuracy: val.acc,
    predictions: predicted,
    confusion: confusionMatrix(test.labels.subarray(0, test.count), predicted),
  };
}

interface Resumed {
  model: tfl.LayersModel;
  info: TrainingInfo;
  optimizerState?: Float32Array;
}

async function readResumed(out: string): Promise<Resumed> {
  let info: TrainingInfo;
  try {
    info = readTrainingInfo(out);
  } catch (error) {
    if (error instanceof UserError && /no such file/.test(error.message)) {
      throw new UserError(
        `${printable(out)}: no checkpoint to resume from (training.json missing)`,
      );
    }
    throw error;
  }
  const model = await loadCheckpoint(out);
  let optimizerState: Float32Array | undefined;
  const state = info.optimizerState as { file: string } | undefined;
  if (state && state.file === OPTIMIZER_FILE && existsSync(checkpointFile(out, state.file))) {
    // Checked against training.json's hash: optimizer state of another epoch is refused.
    const bytes = readCheckpointFile(out, state.file, 4 * 2 ** 30, info);
    if (bytes.length % 4 !== 0) {
      throw new UserError(`${printable(join(out, state.file))}: not whole float32 values`);
    }
    optimizerState = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
  }
  return { model, info, optimizerState };
}

/**
 * Refuses data the networks cannot take, before any training: they read 28×28 images and give
 * ten classes (labels above 9 are refused when the labels file is read).
 */
export function checkTrainable(set: Dataset, name: string, dataDir: string | undefined): void {
  const where = dataDir ? `${printable(dataDir)}: ` : "";
  if (set.rows !== 28 || set.cols !== 28) {
    throw new UserError(
      `${where}the ${name} images are ${set.rows}×${set.cols}; the networks take 28×28 images (MNIST's size)`,
    );
  }
  if (set.count === 0) throw new UserError(`${where}the ${name} set has no images`);
}

/**
 * Makes sure --out can take a checkpoint before the first epoch, rather than failing after it:
 * the folder is created, and a file of the checkpoint's size is written, flushed and removed
 * (a full disk, a read-only one or a path through a file fails here, in words).
 */
export async function checkOutWritable(out: string, bytes: number): Promise<void> {
  const probe = join(out, `.digitkit-write-test-${randomBytes(4).toString("hex")}`);
  try {
    const info = await stat(out).catch(() => null);
    if (info && !info.isDirectory()) {
      throw new UserError(`${printable(out)}: is a file, not a folder; choose another --out`);
    }
    await makeFolder(out);
    const handle = await open(probe, "wx");
    try {
      const block = new Uint8Array(Math.min(bytes, 1 << 20));
      for (let written = 0; written < bytes; written += block.length) {
        await handle.write(block, 0, Math.min(block.length, bytes - written));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `${printable(out)}: cannot write a checkpoint of ${formatBytes(bytes)} there: ${describeWriteError(error)}`,
    );
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
}

/**
 * mkdir -p, with the real reason when it fails: Node's recursive mkdir reports ENOENT where the
 * folder could not be made for another reason (a read-only disk), so the first missing folder is
 * made on its own to learn why.
 */
async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    let missing = resolvePath(path);
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing)
      missing = dirname(missing);
    await mkdir(missing);
    throw error;
  }
}

/** A file-system error while writing into --out, as one line naming it and what to do. */
function writeFailure(out: string, error: unknown): unknown {
  if (!isFsError(error)) return error;
  return new UserError(
    `${printable(out)}: cannot write the checkpoint: ${describeWriteError(error)}`,
  );
}

/**
 * Trains a network on MNIST (or any IDX set) with data-parallel worker threads, writing a
 * checkpoint (TF.js layers format), the history and the optimizer state after every epoch, and
 * at the end the test accuracy, confusion matrix and an HTML report.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const aborted = () => options.signal?.aborted === true;
  const stoppedEarly = (model: tfl.LayersModel, info: TrainingInfo): TrainResult => {
    log("Stopped before the first epoch finished; nothing was written.");
    return { model, info, stopped: true };
  };
  const earlyInfo = (model: tfl.LayersModel, arch: string, history: EpochRecord[]) => ({
    architecture: arch,
    parameters: model.countParams(),
    trainingCommand: options.trainingCommand,
    epochs: history.length,
    secondsPerEpoch: 0,
    history,
  });
  // Watches the machine while the data and TF.js load, to give each free core a worker.
  const idle = new IdleCoreProbe();
  const data = await loadMnist(options.dataDir);
  const trainSet = limit(data.train, options.limitTrain);
  const testSet = limit(data.test, options.limitTest);
  checkTrainable(trainSet, "training", options.dataDir);
  checkTrainable(testSet, "test", options.dataDir);
  await useWasmBackend();
  // A save that a crash interrupted is finished (or its debris removed) before anything reads.
  if (existsSync(options.out)) {
    await settleCheckpoint(options.out).catch((error) => {
      throw writeFailure(options.out, error);
    });
  }

  const resumed = options.resume ? await readResumed(options.out) : undefined;
  const settings = resumed
    ? {
        arch: resumed.info.architecture as Architecture,
        batchSize: resumed.info.batchSize ?? options.batchSize,
        optimizer: (resumed.info.optimizer ?? options.optimizer) as OptimizerName,
        learningRate: resumed.info.learningRate ?? defaultLearningRate(options.optimizer),
        lrDecay: resumed.info.lrDecay ?? 1,
        seed: resumed.info.seed ?? options.seed,
        dropout: resumed.info.dropout ?? 0,
        augment: resumed.info.augment ?? false,
      }
    : {
        arch: options.arch,
        batchSize: options.batchSize,
        optimizer: options.optimizer,
        learningRate: options.learningRate ?? defaultLearningRate(options.optimizer),
        lrDecay: options.lrDecay ?? 1,
        seed: options.seed,
        dropout: options.dropout,
        augment: options.augment,
      };
  const model =
    resumed?.model ?? buildModel(settings.arch, { dropout: settings.dropout, seed: settings.seed });
  const history: EpochRecord[] = resumed ? [...resumed.info.history] : [];
  const firstEpoch = history.length;
  log(modelSummary(model));
  if (resumed) log(`Resuming from ${options.out} after epoch ${firstEpoch}.`);
  // Resuming a run that has all its epochs (stopped after the last one) just finishes it: the
  // final evaluation and the report.
  if (firstEpoch > options.epochs) {
    throw new UserError(
      `${options.out} already has ${firstEpoch} epochs (asked for ${options.epochs}); raise --epochs`,
    );
  }
  // The checkpoint: weights, optimizer slots, and model.json / training.json (a few KB).
  const checkpointBytes =
    model.countParams() * 4 * (1 + stateSlots(settings.optimizer)) + 256 * 1024;
  if (aborted()) return stoppedEarly(model, earlyInfo(model, settings.arch, history));
  await checkOutWritable(options.out, checkpointBytes);
  const workers = options.workers ?? idle.workers();
  log(
    `Training on ${trainSet.count} samples, validating on ${testSet.count} (${VALIDATION_NOTE}); ` +
      `${settings.optimizer} lr ${settings.learningRate}${decayNote(settings.lrDecay)}, batch ${settings.batchSize}, seed ${settings.seed}, ${workers} worker threads`,
  );

  const trainer = await ParallelTrainer.create({
    model,
    arch: settings.arch,
    dropout: settings.dropout,
    optimizer: { name: settings.optimizer, learningRate: settings.learningRate },
    lrDecay: settings.lrDecay,
    batchSize: settings.batchSize,
    seed: settings.seed,
    augment: settings.augment,
    train: trainSet,
    evalSet: testSet,
    workers,
    optimizerState: resumed?.optimizerState,
    native: options.native,
  });
  log(`Engine: ${trainer.kernels}`);
  if (aborted()) {
    await trainer.close();
    return stoppedEarly(model, earlyInfo(model, settings.arch, history));
  }
  if (resumed && !resumed.optimizerState && stateSlots(settings.optimizer) > 0) {
    log("Note: no optimizer state in the checkpoint; the optimizer starts afresh.");
  }
  const onAbort = () => trainer.stop();
  options.signal?.addEventListener("abort", onAbort);

  const loadBefore = loadavg()[0];
  const info = (): TrainingInfo => ({
    architecture: settings.arch,
    parameters: model.countParams(),
    // A resumed run records how it was started and how it was continued.
    trainingCommand: resumed
      ? `${resumed.info.trainingCommand}; ${options.trainingCommand}`
      : options.trainingCommand,
    epochs: history.length,
    batchSize: settings.batchSize,
    optimizer: settings.optimizer,
    learningRate: settings.learningRate,
    lrDecay: settings.lrDecay,
    seed: settings.seed,
    dropout: settings.dropout,
    augment: settings.augment,
    validation: VALIDATION_NOTE,
    trainSamples: trainSet.count,
    testSamples: testSet.count,
    workers,
    engine: trainer.engine,
    kernels: trainer.kernels,
    secondsPerEpoch: history.length
      ? history.reduce((s, e) => s + e.seconds, 0) / history.length
      : 0,
    optimizerState: { file: OPTIMIZER_FILE, engine: trainer.engine, optimizer: settings.optimizer },
    // Timings depend on what else the machine was doing: keep that with them.
    machine: {
      cores: availableParallelism(),
      loadAverageAtStart: loadBefore,
      loadAverageAtEnd: loadavg()[0],
    },
    history,
  });

  let stopped = false;
  let lastState: Uint8Array | undefined;
  /** The last validation of this run: the test set scored with the checkpoint's weights. */
  let lastValidation: { loss: number; acc: number } | undefined;
  try {
    for (let epoch = firstEpoch; epoch < options.epochs; epoch++) {
      log(`Epoch ${epoch + 1}/${options.epochs}`);
      const bar = options.progress ? new EpochProgress(trainer.stepsPerEpoch) : undefined;
      const started = performance.now();
      const cpuStart = process.cpuUsage();
      const result = await trainer.runEpoch(epoch, (steps, loss, acc) =>
        bar?.update(steps, loss, acc),
      );
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      if (result.stopped || options.signal?.aborted) {
        stopped = true;
        if (bar) process.stdout.write("\n");
        break;
      }
      bar?.finish();
      const val = await trainer.evaluate();
      lastValidation = val;
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: result.loss,
        acc: result.acc,
        valLoss: val.loss,
        valAcc: val.acc,
        seconds,
        cpuSeconds,
      };
      history.push(record);
      trainer.copyParamsTo(model);
      lastState = new Uint8Array(trainer.state.slice().buffer);
      // One unit: weights, optimizer state and the record of the epoch (see saveCheckpoint).
      await saveCheckpoint(model, options.out, info(), {
        [OPTIMIZER_FILE]: lastState,
      }).catch((error) => {
        throw writeFailure(options.out, error);
      });
      log(
        `${formatDuration(seconds)} ${((seconds * 1000) / trainer.stepsPerEpoch).toFixed(0)}ms/step - loss: ${record.loss.toFixed(4)} - acc: ${record.acc.toFixed(4)} - val_loss: ${record.valLoss.toFixed(4)} - val_acc: ${record.valAcc.toFixed(4)}`,
      );
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await trainer.close();
  }
  if (stopped) {
    log(
      history.length > 0
        ? `Stopped. ${options.out} keeps epoch ${history.length}; continue with --resume.`
        : "Stopped before the first epoch finished; nothing was written.",
    );
    return { model, info: info(), stopped: true };
  }

  // Validation uses the test set, so the last epoch's validation already scored the weights
  // the checkpoint holds: its predictions (left in the trainer's shared buffer) are the final
  // score, and a second pass through TF.js (many times the validation's time) is saved. A
  // resumed run with no epoch left scores the checkpoint through TF.js. (The tests load each
  // engine's checkpoint in TF.js and check it scores the same.)
  const evaluation = lastValidation
    ? validationScore(lastValidation, trainer.predictions, testSet)
    : evaluateModel(model, testSet);
  const final = { ...info(), testAccuracy: evaluation.accuracy, testSamples: evaluation.n };
  // The optimizer state stays with the weights (a later --resume with more epochs needs it).
  const optimizerState =
    lastState ??
    (existsSync(join(options.out, OPTIMIZER_FILE))
      ? readCheckpointFile(options.out, OPTIMIZER_FILE, 4 * 2 ** 30, resumed?.info)
      : undefined);
  const extra: Record<string, Uint8Array> = optimizerState
    ? { [OPTIMIZER_FILE]: optimizerState }
    : {};
  await saveCheckpoint(model, options.out, final, extra).catch((error) => {
    throw writeFailure(options.out, error);
  });
  const report = trainingReport({
    title: `DigitKit training report: ${settings.arch}`,
    history,
    testAccuracy: evaluation.accuracy,
    confusion: evaluation.confusion,
    test: testSet,
    predictions: evaluation.predictions,
    facts: [
      [
        "architecture",
        `${settings.arch} (${model.countParams().toLocaleString("en-US")} parameters)`,
      ],
      ["command", options.trainingCommand],
      [
        "optimizer",
        `${settings.optimizer}, learning rate ${settings.learningRate}${decayNote(settings.lrDecay)}, batch ${settings.batchSize}`,
      ],
      ["seed", String(settings.seed)],
      ["seconds per epoch", final.secondsPerEpoch.toFixed(2)],
      ["validation", VALIDATION_NOTE],
    ],
  });
  await writeFileAtomic(join(options.out, "report.html"), report).catch((error) => {
    throw writeFailure(options.out, error);
  });
  return { model, info: final, evaluation, stopped: false };
}
