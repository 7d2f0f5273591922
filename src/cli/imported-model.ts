import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileKind } from "../import/load.ts";
import { UserError } from "../util/errors.ts";

/**
 * Keras and TF.js files where the CLI takes a model (`predict --model`, `info`, `evaluate`):
 * told by their first bytes (zip, HDF5, JSON) or a folder with a model.json, converted in
 * memory to a float32 .tflite through the same path as `digitkit convert`. Anything else goes
 * on to the .tflite reader as before.
 */
export function isImportable(path: string): boolean {
  try {
    const info = statSync(path);
    if (info.isDirectory()) return statSync(join(path, "model.json")).isFile();
    // Only a regular file is opened here: a FIFO would block (util/read-file.ts refuses it).
    if (!info.isFile()) return false;
    const fd = openSync(path, "r");
    const head = new Uint8Array(64);
    const n = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    return fileKind(head.subarray(0, n)) !== "unknown";
  } catch {
    return false;
  }
}

/** The model at `path` as float32 .tflite bytes, with the conversion's summary lines. */
export async function convertInMemory(
  path: string,
): Promise<{ bytes: Uint8Array; summary: string[] }> {
  const [{ useWasmBackend }, { openModelFile }, { convertImported }, { nodeWasmRoot }] =
    await Promise.all([
      import("../train/engines/tfjs-wasm-backend.ts"),
      import("../import/model-file.ts"),
      import("../import/convert.ts"),
      import("../runtime/node-litert.ts"),
    ]);
  await useWasmBackend();
  const file = await openModelFile(path).catch((error: unknown) => {
    // Only `convert` takes --arch: say so where a weights-only file needs one.
    if (error instanceof UserError && /--arch/.test(error.message)) {
      throw new UserError(
        `${error.message.replace(/: give the architecture.*$/, "")}: convert it with digitkit convert FILE --arch mlp|cnn --out FILE.tflite`,
      );
    }
    throw error;
  });
  if (file.kind === "tflite") return { bytes: file.bytes, summary: [] };
  try {
    const conversion = await convertImported(file.model, "none", {
      source: path.split(/[\\/]/).pop(),
      wasmRoot: nodeWasmRoot(),
    });
    conversion.reference.dispose();
    return { bytes: conversion.bytes, summary: conversion.summary };
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${path}: ${error.message}`);
    throw error;
  }
}
