import { readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import type { Architecture } from "../model/architectures.ts";
import { FILE_IDENTIFIER } from "../tflite/schema.ts";
import { UserError } from "../util/errors.ts";
import { ImportError } from "./import-error.ts";
import { fileKind, type ImportedModel, importModelBytes, importTfjsModel } from "./load.ts";

/**
 * The one Node loader for model files a user names: a .tflite is read as it is; a Keras
 * `.keras` / `.h5`, a TF.js `model.json` (or the folder holding one) is imported. `predict`,
 * `info`, `evaluate` and `convert` all come through here, so they accept the same files.
 */

const MAX_FILE_BYTES = 1 << 30;

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (info.size > MAX_FILE_BYTES) throw new UserError(`${path}: over ${MAX_FILE_BYTES} bytes`);
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === "ENOENT" ? "no such file" : `cannot read (${code})`}`);
  }
}

export function isTfliteBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === FILE_IDENTIFIER;
}

export type ModelFile =
  | { kind: "tflite"; path: string; bytes: Uint8Array }
  | { kind: "imported"; path: string; model: ImportedModel };

/** Opens a model file; every problem is a one-line UserError that names the file. */
export async function openModelFile(
  path: string,
  options: { arch?: Architecture } = {},
): Promise<ModelFile> {
  let file = path;
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new UserError(`${path}: no such file or directory`);
  }
  if (isDir) file = join(path, "model.json");
  const bytes = await readBytes(file);
  try {
    if (isTfliteBytes(bytes)) {
      if (options.arch)
        throw new ImportError("a .tflite file has its own architecture: leave out --arch");
      return { kind: "tflite", path, bytes };
    }
    if (fileKind(bytes) === "json") {
      const model = await importTfjsModel(new TextDecoder().decode(bytes), (shard) =>
        readShard(file, shard),
      );
      return { kind: "imported", path, model };
    }
    return { kind: "imported", path, model: importModelBytes(bytes, options) };
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${path}: ${error.message}`);
    throw error;
  }
}

/** A weight shard named in model.json: relative, inside model.json's folder. */
async function readShard(modelJson: string, shard: string): Promise<Uint8Array> {
  const relative = normalize(shard);
  if (isAbsolute(shard) || relative.startsWith(`..${sep}`) || relative === "..") {
    throw new ImportError(
      `model.json names a weight file outside its folder: ${shard.slice(0, 80)}`,
    );
  }
  return readBytes(join(dirname(modelJson), relative));
}
