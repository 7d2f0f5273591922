// Temperature scaling, folded into the network: fits T on pen strokes of writers 16–20 (never
// trained on; writers 21–30 stay held out) so that the shown probability means what it says, then
// divides the last Dense layer's weights and bias by T — softmax(z/T) with the model's interface
// unchanged, so the exported .tflite needs nothing new.
// Usage: node --import tsx scripts/calibrate.ts CHECKPOINT [--out DIR] [--copies N] [--seed N]
//        [--temperature T]  fold a given T instead of fitting one
//        [--temperature-from DIR]  fold the T fitted on writers 16–20 for the checkpoint in DIR:
//        the same recipe trained without writers 16–20, for a model that was trained on them (its
//        own figures on 16–20 would be measured on data it saw, so DIR's are recorded instead)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { intOption, parseCommandArgs } from "../src/cli/args.ts";
import { loadCheckpoint, readTrainingInfo, saveCheckpoint } from "../src/model/checkpoint.ts";
import {
  applyTemperature,
  expectedCalibrationError,
  fitTemperature,
  type Scored,
  topChoice,
} from "../src/strokes/calibration.ts";
import { loadStrokeDigits } from "../src/strokes/dataset.ts";
import { writerRole } from "../src/strokes/split.ts";
import { renderTrainingImages } from "../src/strokes/training-set.ts";
import { useWasmBackend } from "../src/train/engines/tfjs-wasm-backend.ts";
import { UsageError } from "../src/util/errors.ts";
import { createRng } from "../src/util/rng.ts";
import { runScript } from "./lib/run-script.ts";

async function main(): Promise<undefined> {
  const { values, positionals } = parseCommandArgs(process.argv.slice(2), {
    out: { type: "string" },
    copies: { type: "string" },
    seed: { type: "string" },
    temperature: { type: "string" },
    "temperature-from": { type: "string" },
  });
  const proxyDir = values["temperature-from"];
  if (proxyDir !== undefined && values.temperature !== undefined)
    throw new UsageError("give --temperature or --temperature-from, not both");
  const proxy = proxyDir === undefined ? undefined : proxyCalibration(proxyDir);
  const given =
    proxy?.temperature ??
    (values.temperature === undefined ? undefined : Number(values.temperature));
  if (given !== undefined && !(given > 0))
    throw new UsageError("--temperature must be a positive number");
  if (positionals.length !== 1)
    throw new UsageError(
      "usage: calibrate.ts CHECKPOINT [--out DIR] [--copies N] [--seed N] [--temperature T | --temperature-from DIR]",
    );
  const dir = positionals[0];
  const out = values.out ?? dir;
  const copies = intOption("copies", values.copies, 2, 1, 20);
  const seed = intOption("seed", values.seed, 7, 0);

  await useWasmBackend();
  const model = await loadCheckpoint(dir);
  const info = readTrainingInfo(dir);
  const previous = (info.calibration as { temperature?: number } | undefined)?.temperature ?? 1;

  const writers = loadStrokeDigits().filter((d) => writerRole(d.writer) === "calibrate");
  const set = renderTrainingImages(writers, copies, createRng(seed));
  const shape = model.inputs[0].shape.length === 4 ? [set.count, 28, 28, 1] : [set.count, 784];
  const x = tf.tensor(
    Float32Array.from(set.images, (v) => v / 255),
    shape,
  );
  const probs = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
  x.dispose();
  const items: Scored[] = Array.from({ length: set.count }, (_, i) => ({
    label: set.labels[i],
    probabilities: probs.subarray(i * 10, i * 10 + 10),
  }));
  const temperature = given ?? fitTemperature(items);
  const after = items.map((item) => ({
    label: item.label,
    probabilities: applyTemperature(item.probabilities, temperature),
  }));
  const accuracy =
    items.filter((item) => topChoice(item.probabilities).digit === item.label).length /
    items.length;

  // Fold 1/T into the last layer (a Dense with softmax): logits z = xW + b become z/T.
  const last = model.layers[model.layers.length - 1];
  const [kernel, bias] = last.getWeights();
  last.setWeights([tf.div(kernel, temperature), tf.div(bias, temperature)]);

  // Record the extra training data (scripts/build-stroke-data.ts leaves about.json beside it).
  const dataDir = /--data (\S+)/.exec(info.trainingCommand)?.[1];
  const about =
    dataDir && existsSync(join(dataDir, "about.json")) ? join(dataDir, "about.json") : "";
  const trainingData = about ? JSON.parse(readFileSync(about, "utf8")) : info.trainingData;

  const eceBefore = expectedCalibrationError(items);
  const eceAfter = expectedCalibrationError(after);
  const figures = proxy
    ? {
        fittedOn: `pen strokes of writers 16–20, with ${proxyDir}: the same recipe trained without them (this model was trained on them); accuracy and ECE are that model's on those writers`,
        accuracy: proxy.accuracy,
        eceBefore: proxy.eceBefore,
        eceAfter: proxy.eceAfter,
      }
    : {
        fittedOn:
          given === undefined
            ? `pen strokes of writers 16–20 (${set.count} drawings, ${copies} each)`
            : "given (--temperature), not fitted on this model",
        accuracy,
        eceBefore,
        eceAfter,
      };
  await saveCheckpoint(model, out, {
    ...info,
    ...(trainingData ? { trainingData } : {}),
    calibration: {
      temperature: previous * temperature,
      method:
        "temperature scaling folded into the last Dense layer (weights and bias divided by T)",
      ...figures,
      command: `node --import tsx scripts/calibrate.ts ${process.argv.slice(2).join(" ")}`,
    },
  });
  console.log(
    `${join(out, "model.json")}: T = ${temperature.toFixed(3)} (${given === undefined ? "fitted" : proxy ? `fitted with ${proxyDir}` : "given"}) on ${set.count} drawings of writers 16–20 (accuracy ${(accuracy * 100).toFixed(2)}%); ECE ${(eceBefore * 100).toFixed(2)}% → ${(eceAfter * 100).toFixed(2)}%`,
  );
}

/** The calibration another checkpoint recorded (fitted there on writers 16–20). */
function proxyCalibration(dir: string): {
  temperature: number;
  accuracy: number;
  eceBefore: number;
  eceAfter: number;
} {
  if (!existsSync(join(dir, "training.json")))
    throw new UsageError(`${dir}: no checkpoint (training.json missing)`);
  const c = readTrainingInfo(dir).calibration as Record<string, unknown> | undefined;
  const fitted = typeof c?.fittedOn === "string" && c.fittedOn.startsWith("pen strokes of writers");
  if (!c || typeof c.temperature !== "number" || !fitted)
    throw new UsageError(`${dir}: no temperature fitted on writers 16–20 (run calibrate.ts on it)`);
  return {
    temperature: c.temperature,
    accuracy: Number(c.accuracy),
    eceBefore: Number(c.eceBefore),
    eceAfter: Number(c.eceAfter),
  };
}

runScript("calibrate", main);
