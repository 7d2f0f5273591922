import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { io } from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { checkpointFile, commitFiles } from "../util/commit-files.ts";
import { UserError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import { readRegularFileSync } from "../util/read-file.ts";

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

const MAX_MODEL_JSON_BYTES = 64 * 2 ** 20;
const MAX_WEIGHTS_BYTES = 1024 * 2 ** 20;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A model's two files in TF.js layers format (model.json + weights.bin), as bytes. */
export async function serializeModel(
  model: tfl.LayersModel,
): Promise<{ modelJson: Uint8Array; weights: Uint8Array }> {
  let files: { modelJson: Uint8Array; weights: Uint8Array } | undefined;
  // tfjs-layers has no file:// handler without tfjs-node: a custom IOHandler takes the artifacts.
  const handler: io.IOHandler = {
    async save(artifacts: io.ModelArtifacts) {
      const weightData = artifacts.weightData;
      const buffers = Array.isArray(weightData) ? weightData : weightData ? [weightData] : [];
      const weights = Buffer.concat(buffers.map((b) => new Uint8Array(b)));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: "layers-model",
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
      };
      files = { modelJson: Buffer.from(`${JSON.stringify(modelJson)}\n`), weights };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    },
  };
  await model.save(handler);
  if (!files) throw new Error("the model saved nothing");
  return files;
}

/**
 * Writes a model in TF.js layers format (model.json + weights.bin, loadable by
 * tf.loadLayersModel and the TF.js converter) into `dir`, as one unit (see commitFiles).
 */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  const { modelJson, weights } = await serializeModel(model);
  await commitFiles(
    dir,
    new Map([
      ["weights.bin", weights],
      ["model.json", modelJson],
    ]),
    "model",
  );
}

/**
 * Writes a checkpoint: the model, training.json and any `extra` files (optimizer.bin), as one
 * unit. training.json records the SHA-256 of every other file, so a reader can tell a checkpoint
 * whose files come from different saves and refuse it.
 */
export async function saveCheckpoint(
  model: tfl.LayersModel,
  dir: string,
  training: TrainingInfo,
  extra: Record<string, Uint8Array> = {},
): Promise<void> {
  const { modelJson, weights } = await serializeModel(model);
  const files = new Map<string, Uint8Array>([
    ["weights.bin", weights],
    ...Object.entries(extra),
    ["model.json", modelJson],
  ]);
  const hashes = Object.fromEntries([...files].map(([name, bytes]) => [name, sha256(bytes)]));
  const record = { ...training, files: hashes };
  files.set("training.json", Buffer.from(`${JSON.stringify(record, null, 2)}\n`));
  await commitFiles(dir, files, `checkpoint@${training.epochs}`);
}

/** Finishes or discards what a crashed save left in `dir` (see commitFiles); writers only. */
export { settleFolder as settleCheckpoint } from "../util/commit-files.ts";

/**
 * Reads one file of a checkpoint (a regular file, size-checked), checking it against the hash
 * training.json recorded for it when there is one.
 */
export function readCheckpointFile(
  dir: string,
  name: string,
  maxBytes: number,
  info?: TrainingInfo,
): Uint8Array {
  const bytes = readRegularFileSync(checkpointFile(dir, name), { maxBytes, what: name });
  checkHash(dir, name, bytes, info);
  return bytes;
}

function checkHash(dir: string, name: string, bytes: Uint8Array, info?: TrainingInfo): void {
  const recorded = (info?.files as Record<string, string> | undefined)?.[name];
  if (recorded === undefined || recorded === sha256(bytes)) return;
  throw new UserError(
    `${printable(dir)}: ${name} is not the one training.json (epoch ${info?.epochs}) was saved with: the files come from different saves; train again without --resume`,
  );
}

/** Reads model.json + weights.bin from `dir` as a LayersModel; a missing or bad file is one line. */
export async function loadCheckpoint(dir: string): Promise<tfl.LayersModel> {
  const modelPath = checkpointFile(dir, "model.json");
  const info = existsSync(checkpointFile(dir, "training.json")) ? readTrainingInfo(dir) : undefined;
  let json: {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  };
  let text: Uint8Array;
  try {
    text = readRegularFileSync(modelPath, { maxBytes: MAX_MODEL_JSON_BYTES, what: "a model.json" });
  } catch (error) {
    if (existsSync(modelPath)) throw error;
    throw new UserError(`${printable(join(dir, "model.json"))}: no such file`);
  }
  try {
    json = JSON.parse(new TextDecoder().decode(text));
  } catch {
    throw new UserError(`${printable(modelPath)}: not a TF.js model.json`);
  }
  const manifest = json?.weightsManifest;
  const wellFormed =
    json?.modelTopology &&
    Array.isArray(manifest) &&
    manifest.every(
      (g) =>
        Array.isArray(g?.paths) &&
        g.paths.every((p) => typeof p === "string" && /^[\w.-]+$/.test(p) && p !== "..") &&
        Array.isArray(g?.weights) &&
        g.weights.every(
          (w) =>
            Array.isArray(w?.shape) &&
            w.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0),
        ),
    );
  if (!wellFormed) throw new UserError(`${printable(modelPath)}: not a TF.js layers model.json`);
  checkHash(dir, "model.json", text, info);
  const weightSpecs = manifest.flatMap((group) => group.weights);
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    for (const path of group.paths) {
      try {
        buffers.push(
          readRegularFileSync(checkpointFile(dir, path), {
            maxBytes: MAX_WEIGHTS_BYTES,
            what: "weights",
          }),
        );
      } catch {
        throw new UserError(`${printable(join(dir, path))}: cannot read weights`);
      }
    }
  }
  const bytes = Buffer.concat(buffers);
  const expected = weightSpecs.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bytes.length !== expected) {
    throw new UserError(
      `${printable(join(dir, "weights.bin"))}: ${bytes.length} bytes, model.json needs ${expected}`,
    );
  }
  if (manifest.length === 1 && manifest[0].paths.length === 1) {
    checkHash(dir, manifest[0].paths[0], bytes, info);
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
  try {
    return await tfl.loadLayersModel(handler);
  } catch {
    // TF.js's own message can be the whole topology (kilobytes): say what it means instead.
    throw new UserError(
      `${printable(modelPath)}: TF.js cannot build this network (unknown layers, or weights that do not fit them)`,
    );
  }
}

export function readTrainingInfo(dir: string): TrainingInfo {
  const path = checkpointFile(dir, "training.json");
  if (!existsSync(path))
    throw new UserError(`${printable(join(dir, "training.json"))}: no such file`);
  const bytes = readRegularFileSync(path, {
    maxBytes: MAX_MODEL_JSON_BYTES,
    what: "training.json",
  });
  let info: TrainingInfo;
  try {
    info = JSON.parse(new TextDecoder().decode(bytes)) as TrainingInfo;
  } catch {
    throw new UserError(`${printable(path)}: not valid JSON`);
  }
  if (!info || typeof info !== "object" || !Array.isArray(info.history)) {
    throw new UserError(`${printable(path)}: not a DigitKit training record`);
  }
  return info;
}
