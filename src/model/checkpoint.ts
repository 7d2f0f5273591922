import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { io } from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { UserError } from "../util/errors.ts";
import { failpoint } from "../util/failpoint.ts";
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

/** The files of a checkpoint, in the order they are moved into place: the record comes last. */
const COMMIT_ORDER = ["weights.bin", "optimizer.bin", "model.json", "training.json"];
/** A new checkpoint is written here first, inside the checkpoint's own folder. */
const STAGING = ".checkpoint-staging";
/** ...and renamed to this once every file is whole: from then on it is the checkpoint. */
const PENDING = ".checkpoint-pending";

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

/**
 * Puts a set of files into `dir` so that no reader, and no crash at any instant, sees files of
 * two saves mixed (short of a failed rename, which training.json's hashes then catch):
 * 1. every file is written whole (and flushed) into dir/.checkpoint-staging;
 * 2. that folder is renamed to dir/.checkpoint-pending in one step: the commit point;
 * 3. its files are renamed into dir, training.json last, and the empty folder removed.
 * A crash in 1 leaves a staging folder that the next save deletes; a crash in 2 or 3 leaves a
 * complete pending folder, which readers prefer to dir's own files and the next save finishes.
 */
async function commitFiles(dir: string, files: Map<string, Uint8Array>, label: string) {
  await mkdir(dir, { recursive: true });
  await settleCheckpoint(dir);
  const staging = join(dir, STAGING);
  const pending = join(dir, PENDING);
  try {
    await mkdir(staging);
    for (const [name, bytes] of files) {
      await writeFlushed(join(staging, name), bytes);
      failpoint(`${label}:staged:${name}`);
    }
    await syncDir(staging);
    await rename(staging, pending);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  failpoint(`${label}:pending`);
  try {
    await movePending(dir, label);
  } catch (error) {
    // A file could not be put in place (a folder in its way): drop the rest rather than leave a
    // pending folder that would fail the same way forever; the hashes tell readers of the mix.
    await rm(pending, { recursive: true, force: true });
    throw error;
  }
  await syncDir(dir);
}

/** Moves the files of a complete pending checkpoint into `dir`, in commit order. */
async function movePending(dir: string, label = "settle"): Promise<void> {
  const pending = join(dir, PENDING);
  const names = await readdir(pending);
  const order = [
    ...names.filter((n) => !COMMIT_ORDER.includes(n)),
    ...COMMIT_ORDER.filter((n) => names.includes(n)),
  ];
  for (const name of order) {
    await rename(join(pending, name), join(dir, name));
    failpoint(`${label}:moved:${name}`);
  }
  failpoint(`${label}:done`);
  await rm(pending, { recursive: true, force: true });
}

/**
 * Finishes or discards what a crashed save left in `dir`: a pending checkpoint is whole and is
 * moved into place; a staging folder is incomplete and is deleted. Only writers call this.
 */
export async function settleCheckpoint(dir: string): Promise<void> {
  if (existsSync(join(dir, PENDING))) await movePending(dir);
  await rm(join(dir, STAGING), { recursive: true, force: true });
}

async function writeFlushed(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every file system lets a folder be flushed; the renames are what matter here.
  }
}

/**
 * Where a checkpoint's file is now: in the pending folder while a crashed save has not been
 * finished (it is the newer, whole checkpoint), else in the folder itself.
 */
export function checkpointFile(dir: string, name: string): string {
  const pending = join(dir, PENDING, name);
  return existsSync(pending) ? pending : join(dir, name);
}

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
