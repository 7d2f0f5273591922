// Keras and TF.js files converted to .tflite on this device, by the same code as `digitkit
// convert` (src/import, src/export): nothing is uploaded. This module brings TF.js Layers and its
// CPU backend, the HDF5 and zip readers and the exporter, so the app loads it only when such a
// file is opened (a dynamic import; the first visit never downloads it).
import "@tensorflow/tfjs-backend-cpu";
import { setBackend } from "@tensorflow/tfjs-core";
import { measureAgreement } from "../src/import/agreement.ts";
import { convertImported, scaleInputs } from "../src/import/convert.ts";
import { ImportError } from "../src/import/import-error.ts";
import {
  fileKind,
  type ImportedModel,
  importModelBytes,
  importTfjsModel,
} from "../src/import/load.ts";
import { browserWasmRoot } from "../src/runtime/browser-litert.ts";
import { UserError } from "../src/util/errors.ts";

export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

/** A float32 file must follow the Keras model within this, as `digitkit convert` holds it to. */
const FLOAT_TOLERANCE = 1e-5;
const PROBES = 16;

/**
 * The picked files as one float32 .tflite: a .keras or full-model .h5 alone, or a TF.js
 * model.json with the weight shards it names (picked together). The file is checked as the CLI
 * checks it — read back, weight layout, run once in LiteRT — and against the Keras model itself
 * (TF.js Layers, nothing folded) on probe images; any problem is one UserError in plain words.
 */
export async function convertPicked(
  files: PickedFile[],
  wasmRoot: string,
): Promise<{ bytes: Uint8Array; summary: string[] }> {
  await setBackend("cpu");
  const model = await importPicked(files);
  const root = browserWasmRoot(wasmRoot);
  const conversion = await convertImported(model, "none", {
    wasmRoot: root,
    source: files[0].name,
  });
  try {
    const probes = scaleInputs(probeImages(model.inputShape), model.inputMax) as Float32Array[];
    const { maxDifference } = await measureAgreement(
      conversion.bytes,
      conversion.reference,
      probes,
      root,
    );
    if (!(maxDifference <= FLOAT_TOLERANCE)) {
      throw new UserError(
        `the converted model differs from the Keras model by ${maxDifference.toExponential(2)}`,
      );
    }
  } finally {
    conversion.reference.dispose();
  }
  return { bytes: conversion.bytes, summary: conversion.summary };
}

async function importPicked(files: PickedFile[]): Promise<ImportedModel> {
  const main =
    files.find((f) => fileKind(f.bytes) === "json") ??
    files.find((f) => fileKind(f.bytes) !== "unknown");
  if (!main) throw new ImportError("not a Keras .keras / .h5 or TF.js model.json file");
  try {
    if (fileKind(main.bytes) !== "json") return importModelBytes(main.bytes);
    const shards = new Map(files.filter((f) => f !== main).map((f) => [f.name, f.bytes]));
    return await importTfjsModel(new TextDecoder().decode(main.bytes), async (path) => {
      const name = path.split("/").pop() ?? path;
      const shard = shards.get(name);
      if (!shard) {
        throw new ImportError(
          `model.json needs its weight file ${name.slice(0, 80)}: open it together with model.json`,
        );
      }
      return shard;
    });
  } catch (error) {
    // The CLI's advice for a weights-only .h5 names its option; the app cannot take one.
    if (error instanceof UserError && /--arch/.test(error.message)) {
      throw new ImportError(
        "it holds weights only, no architecture: convert it with digitkit convert FILE --arch mlp|cnn",
      );
    }
    throw error;
  }
}

/** Deterministic probe images in DigitKit's range (0–1): blobs of ink on black, and noise. */
function probeImages(shape: number[]): Float32Array[] {
  const size = shape.reduce((a, b) => a * b, 1);
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  return Array.from({ length: PROBES }, (_, n) =>
    Float32Array.from({ length: size }, () => (n % 2 === 0 ? (next() < 0.2 ? next() : 0) : next())),
  );
}
