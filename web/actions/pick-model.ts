// Intent: "use this model" from the picker (a shipped one, or one opened earlier this session).
import type { App } from "../app.ts";
import { fetchModel } from "../models.ts";
import { useModel } from "./use-model.ts";

export async function pickModel(app: App, value: string): Promise<void> {
  app.store.set({ selectedModel: value });
  const opened = app.models.opened.get(value);
  if (opened) await useModel(app, async () => opened.bytes, opened.name, value);
  else await useModel(app, () => fetchModel(value), value, value);
}
