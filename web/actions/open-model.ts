// Intent: "use my own .tflite". Once it loads it joins the picker, to be picked again later.
import type { App } from "../app.ts";
import { useModel } from "./use-model.ts";

export async function openModel(app: App, file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const value = `opened:${file.name}`;
  if (!(await useModel(app, async () => bytes, file.name, value))) return;
  const { store, models } = app;
  if (!models.opened.has(value)) {
    store.set({ models: [...store.state.models, { value, label: `${file.name} (opened)` }] });
  }
  models.opened.set(value, { bytes, name: file.name });
  store.set({ selectedModel: value });
}
