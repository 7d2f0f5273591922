// Intent: "save the model in use as a file".
import type { App } from "../app.ts";
import { download } from "../models.ts";
import { NO_MODEL_MESSAGE } from "./classify.ts";

export async function downloadModel(app: App): Promise<void> {
  const current = await app.models.current();
  // A Keras file converted on the device is saved as what it now is: a .tflite.
  const name = current?.fileName.replace(/\.(keras|h5|json)$/i, ".tflite");
  if (current && name) download(current.bytes, name);
  else app.store.set({ message: NO_MODEL_MESSAGE });
}
