// Intent: "use my own model": a .tflite as it is, or a Keras .keras / .h5 or a TF.js model.json
// (with its weight shards, picked together) converted to .tflite on this device. Once it loads it
// joins the picker, to be picked again later.
import { UserError } from "../../src/util/errors.ts";
import type { App } from "../app.ts";
import { WASM_ROOT } from "../recognizer.ts";
import { useModel } from "./use-model.ts";

/** A .tflite flatbuffer: the file identifier "TFL3" at bytes 4–7. */
function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === "TFL3";
}

/** Whether the bytes are a model to convert: a zip (.keras), HDF5 (.h5) or JSON (model.json). */
function isConvertible(bytes: Uint8Array): boolean {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const hdf5 = String.fromCharCode(...bytes.subarray(0, 8)) === "\x89HDF\r\n\x1a\n";
  const text = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  return zip || hdf5 || text.startsWith("{");
}

export async function openModel(app: App, picked: File[]): Promise<void> {
  if (picked.length === 0) return;
  const files = await Promise.all(
    picked.map(async (file) => ({
      name: file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
    })),
  );
  const tflite = files.find((f) => isTflite(f.bytes));
  const source = tflite ?? files.find((f) => isConvertible(f.bytes)) ?? files[0];
  let bytes: Uint8Array | undefined = tflite?.bytes;
  const modelBytes = async (): Promise<Uint8Array> => {
    if (bytes) return bytes;
    if (!isConvertible(source.bytes)) return source.bytes; // the recognizer says what it is not
    app.store.set({ modelStatus: `Converting ${source.name} on this device…` });
    // The converter (TF.js Layers, the HDF5 and zip readers, the exporter) loads only now.
    const { convertPicked } = await import("../convert-keras.ts");
    try {
      bytes = (await convertPicked(files, WASM_ROOT)).bytes;
    } catch (error) {
      if (error instanceof UserError) throw error;
      console.warn(error); // the converter's or runtime's own words, for whoever debugs it
      throw new Error("it could not be converted on this device");
    }
    return bytes;
  };
  const value = `opened:${source.name}`;
  if (!(await useModel(app, modelBytes, source.name, value))) return;
  const { store, models } = app;
  if (!models.opened.has(value)) {
    store.set({ models: [...store.state.models, { value, label: `${source.name} (opened)` }] });
  }
  models.opened.set(value, { bytes: bytes ?? source.bytes, name: source.name });
  store.set({ selectedModel: value });
}
