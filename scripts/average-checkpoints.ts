// Averages the weights of checkpoints of one run taken after different epochs (stochastic weight
// averaging, with the epochs as the snapshots): Adam at a constant learning rate leaves the
// weights wandering around a good region from one epoch to the next, and their mean reads new
// writers more steadily than any single epoch. The network has no batch normalization, so the
// mean needs no statistics recomputed. The training record is the last checkpoint's, with the
// averaging added to its command and the mean's own MNIST test accuracy (not the last epoch's),
// and report.html is the mean's (its accuracy, confusion and misread digits; the epochs' curves).
// Usage: node --import tsx scripts/average-checkpoints.ts --out DIR CHECKPOINT CHECKPOINT...
//        node --import tsx scripts/average-checkpoints.ts --report DIR   (rewrites DIR's report
//        from its own weights, for a mean written before the report was)
import { join } from "node:path";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { parseCommandArgs } from "../src/cli/args.ts";
import { type Dataset, loadMnist } from "../src/data/mnist.ts";
import { averageIntoLast } from "../src/model/average.ts";
import {
  loadCheckpoint,
  readTrainingInfo,
  saveCheckpoint,
  type TrainingInfo,
} from "../src/model/checkpoint.ts";
import { type Evaluation, evaluateModel } from "../src/model/evaluate.ts";
import { useWasmBackend } from "../src/train/engines/tfjs-wasm-backend.ts";
import { trainingReport } from "../src/train/report.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { UsageError, UserError } from "../src/util/errors.ts";
import { runScript } from "./lib/run-script.ts";

async function main(argv: string[]): Promise<undefined> {
  const { values, positionals } = parseCommandArgs(argv, {
    out: { type: "string" },
    report: { type: "string" },
  });
  await useWasmBackend();
  if (values.report !== undefined && !values.out && positionals.length === 0) {
    const model = await loadCheckpoint(values.report);
    const test = (await loadMnist()).test;
    const info = readTrainingInfo(values.report);
    await writeReport(values.report, info, evaluateModel(model, test), test);
    console.log(`${values.report}: report.html rewritten from its own weights`);
    return;
  }
  if (!values.out || positionals.length < 2 || values.report !== undefined)
    throw new UsageError(
      "usage: average-checkpoints.ts --out DIR CHECKPOINT CHECKPOINT... | --report DIR",
    );

  const models: LayersModel[] = [];
  for (const dir of positionals) models.push(await loadCheckpoint(dir));
  const differs = averageIntoLast(models);
  if (differs >= 0)
    throw new UserError(`${positionals[differs]}: not the same network as ${positionals[0]}`);
  const target = models[models.length - 1];

  const info = readTrainingInfo(positionals[positionals.length - 1]);
  const test = (await loadMnist()).test;
  const evaluation = evaluateModel(target, test);
  const command = `node --import tsx scripts/average-checkpoints.ts --out ${values.out} ${positionals.join(" ")}`;
  const averaged: TrainingInfo = {
    ...info,
    trainingCommand: `${info.trainingCommand}; ${command}`,
    testAccuracy: evaluation.accuracy,
    testSamples: evaluation.n,
    confusion: evaluation.confusion,
    averagedOver: positionals.map((dir) => ({
      checkpoint: dir,
      epochs: readTrainingInfo(dir).epochs,
    })),
  };
  await saveCheckpoint(target, values.out, averaged);
  await writeReport(values.out, averaged, evaluation, test);
  console.log(
    `${values.out}: mean of ${positionals.length} checkpoints' weights, ${(evaluation.accuracy * 100).toFixed(2)}% on ${evaluation.n} MNIST test digits`,
  );
}

/** The mean's report.html: its own score on the test set, beside the run's per-epoch curves. */
async function writeReport(dir: string, info: TrainingInfo, evaluation: Evaluation, test: Dataset) {
  const averagedOver = (info.averagedOver ?? []) as { epochs: number }[];
  const epochs = averagedOver.map((a) => a.epochs);
  const report = trainingReport({
    title: `DigitKit training report: ${info.architecture}, averaged weights`,
    history: info.history,
    testAccuracy: evaluation.accuracy,
    confusion: evaluation.confusion,
    test,
    predictions: evaluation.predictions,
    facts: [
      [
        "architecture",
        `${info.architecture} (${info.parameters.toLocaleString("en-US")} parameters)`,
      ],
      ["command", info.trainingCommand],
      [
        "weights",
        epochs.length > 0
          ? `the mean of the checkpoints after epochs ${epochs.join(", ")}; the curves are the run's epochs, the score and confusion the mean's`
          : "as trained",
      ],
      ["seed", String(info.seed ?? "")],
      ["seconds per epoch", info.secondsPerEpoch.toFixed(2)],
    ],
  });
  await writeFileAtomic(join(dir, "report.html"), report);
}

runScript("average-checkpoints", () => main(process.argv.slice(2)));
