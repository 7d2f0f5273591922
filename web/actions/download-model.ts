// Intent: "save the model in use as a file".
import type { App } from "../app.ts";
import { download } from "../models.ts";
import { NO_MODEL_MESSAGE } from "./classify.ts";

export async function downloadModel(app: App): Promise<void> {
  const current = await app.models.current();
  if (current) download(current.bytes, current.fileName);
  else app.store.set({ message: NO_MODEL_MESSAGE });
}
