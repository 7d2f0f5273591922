// Averages the weights of checkpoints of one run taken after different epochs (stochastic weight
// averaging, with the epochs as the snapshots): Adam at a constant learning rate leaves the
// weights wandering around a good region from one epoch to the next, and their mean reads new
// writers more steadily than any single epoch. The network has no batch normalization, so the
// mean needs no statistics recomputed. The training record is the last checkpoint's, with the
// averaging added to its command and the mean's own MNIST test accuracy (not the last epoch's).
// Usage: node --import tsx scripts/average-checkpoints.ts --out DIR CHECKPOINT CHECKPOINT...
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { parseCommandArgs } from "../src/cli/args.ts";
import { loadMnist } from "../src/data/mnist.ts";
import { averageIntoLast } from "../src/model/average.ts";
import { loadCheckpoint, readTrainingInfo, saveCheckpoint } from "../src/model/checkpoint.ts";
import { evaluateModel } from "../src/model/evaluate.ts";
import { useWasmBackend } from "../src/train/engines/tfjs-wasm-backend.ts";
import { UsageError, UserError } from "../src/util/errors.ts";
import { runScript } from "./lib/run-script.ts";

async function main(argv: string[]): Promise<undefined> {
  const { values, positionals } = parseCommandArgs(argv, {
    out: { type: "string" },
  });
  if (!values.out || positionals.length < 2)
    throw new UsageError("usage: average-checkpoints.ts --out DIR CHECKPOINT CHECKPOINT...");

  await useWasmBackend();
  const models: LayersModel[] = [];
  for (const dir of positionals) models.push(await loadCheckpoint(dir));
  const differs = averageIntoLast(models);
  if (differs >= 0)
    throw new UserError(`${positionals[differs]}: not the same network as ${positionals[0]}`);
  const target = models[models.length - 1];

  const info = readTrainingInfo(positionals[positionals.length - 1]);
  const evaluation = evaluateModel(target, (await loadMnist()).test);
  const command = `node --import tsx scripts/average-checkpoints.ts --out ${values.out} ${positionals.join(" ")}`;
  await saveCheckpoint(target, values.out, {
    ...info,
    trainingCommand: `${info.trainingCommand}; ${command}`,
    testAccuracy: evaluation.accuracy,
    testSamples: evaluation.n,
    confusion: evaluation.confusion,
    averagedOver: positionals.map((dir) => ({
      checkpoint: dir,
      epochs: readTrainingInfo(dir).epochs,
    })),
  });
  console.log(
    `${values.out}: mean of ${positionals.length} checkpoints' weights, ${(evaluation.accuracy * 100).toFixed(2)}% on ${evaluation.n} MNIST test digits`,
  );
}

runScript("average-checkpoints", () => main(process.argv.slice(2)));
