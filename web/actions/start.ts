// Opening the app: the runtime, the model list and the likely model download at once (the
// first answer comes sooner), then the model the URL names (or the default) is loaded.
import type { App } from "../app.ts";
import { DEFAULT_MODEL, describe, fetchModel, initialModel, listModels } from "../models.ts";
import { warmUpRuntime } from "../recognizer.ts";
import { useModel } from "./use-model.ts";

export async function start(app: App): Promise<void> {
  warmUpRuntime();
  const guess = new URLSearchParams(location.search).get("model") ?? DEFAULT_MODEL;
  const early = fetchModel(guess);
  early.catch(() => {});
  let cards: Awaited<ReturnType<typeof listModels>> = [];
  try {
    cards = await listModels();
  } catch (error) {
    app.store.set({ modelStatus: (error as Error).message });
  }
  const first = initialModel(cards, location.search);
  app.store.set({
    models: cards.map((card) => ({ value: card.file, label: describe(card) })),
    selectedModel: first ?? "",
  });
  if (!first) {
    app.store.set({ modelStatus: "No models are shipped with this build." });
    return;
  }
  await useModel(app, () => (first === guess ? early : fetchModel(first)), first, first);
}
