import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { io } from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { writeFileAtomic } from "../util/atomic.ts";
import { UserError } from "../util/errors.ts";

/** One epoch's numbers, as Keras's History holds them. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  acc: number;
  valLoss: number;
  valAcc: number;
  seconds: number;
  /** CPU time of all threads during the epoch (on a shared machine, wall time ≥ cpuSeconds / cores). */
  cpuSeconds?: number;
}

/** What we know about how a checkpoint was trained; written as training.json beside it. */
export interface TrainingInfo {
  architecture: string;
  parameters: number;
  trainingCommand: string;
  epochs: number;
  batchSize?: number;
  optimizer?: string;
  learningRate?: number;
  /** The learning rate is multiplied by this after every epoch (1 or absent: constant). */
  lrDecay?: number;
  seed?: number;
  dropout?: number;
  augment?: boolean;
  validation?: string;
  secondsPerEpoch: number;
  testAccuracy?: number;
  history: EpochRecord[];
  [key: string]: unknown;
}

/**
 * Writes a model in TF.js layers format (model.json + weights.bin, loadable by
 * tf.loadLayersModel and the TF.js converter) through a custom IOHandler: tfjs-layers has no
 * file:// handler without tfjs-node. Each file is written atomically; weights go first so that
 * a model.json on disk always has its weights beside it.
 */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  const handler: io.IOHandler = {
    async save(artifacts: io.ModelArtifacts) {
      const weightData = artifacts.weightData;
      const buffers = Array.isArray(weightData) ? weightData : weightData ? [weightData] : [];
      const bytes = Buffer.concat(buffers.map((b) => new Uint8Array(b)));
      await writeFileAtomic(join(dir, "weights.bin"), bytes);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: "layers-model",
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(join(dir, "model.json"), `${JSON.stringify(modelJson)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    },
  };
  await model.save(handler);
}

export async function saveCheckpoint(
  model: tfl.LayersModel,
  dir: string,
  training: TrainingInfo,
): Promise<void> {
  await saveModel(model, dir);
  await writeFileAtomic(join(dir, "training.json"), `${JSON.stringify(training, null, 2)}\n`);
}

/** Reads model.json + weights.bin from `dir` as a LayersModel; a missing or bad file is one line. */
export async function loadCheckpoint(dir: string): Promise<tfl.LayersModel> {
  const modelPath = join(dir, "model.json");
  let json: {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  };
  try {
    json = JSON.parse(await readFile(modelPath, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      `${modelPath}: ${code === "ENOENT" ? "no such file" : "not a TF.js model.json"}`,
    );
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new UserError(`${modelPath}: not a TF.js layers model.json`);
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      try {
        buffers.push(await readFile(join(dir, path)));
      } catch {
        throw new UserError(`${join(dir, path)}: cannot read weights`);
      }
    }
  }
  const bytes = Buffer.concat(buffers);
  const expected = weightSpecs.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bytes.length !== expected) {
    throw new UserError(
      `${join(dir, "weights.bin")}: ${bytes.length} bytes, model.json needs ${expected}`,
    );
  }
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const handler: io.IOHandler = {
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs,
      weightData,
      format: "layers-model",
    }),
  };
  return tfl.loadLayersModel(handler);
}

export function readTrainingInfo(dir: string): TrainingInfo {
  const path = join(dir, "training.json");
  try {
    return JSON.parse(readFileSync(path, "utf8")) as TrainingInfo;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === "ENOENT" ? "no such file" : "not valid JSON"}`);
  }
}
