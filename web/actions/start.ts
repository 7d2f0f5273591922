// Opening the app: the model list and the likely model download at once (the first answer comes
// sooner), then the model the URL names (or the default) is loaded; the pad shows the download's
// progress until the app can answer. The big runtime is not fetched unless a model needs it.

import { pickDefaultModel } from "../../src/recognize/default-model.ts";
import type { App } from "../app.ts";
import {
  DEFAULT_MODEL,
  describe,
  fetchModel,
  initialModel,
  listModels,
  pickerLabel,
} from "../models.ts";
import { useModel } from "./use-model.ts";

export async function start(app: App): Promise<void> {
  const guess = new URLSearchParams(location.search).get("model") ?? DEFAULT_MODEL;
  let expected = 0; // the card's size, once the list has come
  const early = fetchModel(guess, (received) => showProgress(app, guess, received, expected));
  early.catch(() => {});
  let cards: Awaited<ReturnType<typeof listModels>> = [];
  try {
    cards = await listModels();
  } catch (error) {
    app.store.set({ modelStatus: (error as Error).message });
  }
  const first = initialModel(cards, location.search);
  const fallback = pickDefaultModel(cards.map((c) => c.file));
  expected = cards.find((c) => c.file === guess)?.sizeBytes ?? 0;
  app.store.set({
    models: cards.map((card) => ({
      value: card.file,
      label: pickerLabel(card, fallback),
      title: describe(card),
    })),
    selectedModel: first ?? "",
  });
  if (!first) {
    app.store.set({ modelStatus: "No models are shipped with this build.", loading: null });
    return;
  }
  const bytes = () =>
    first === guess ? early : fetchModel(first, (n) => showProgress(app, first, n, 0));
  await useModel(app, bytes, first, first);
}

function showProgress(app: App, file: string, received: number, total: number): void {
  const percent = total > 0 ? ` ${Math.min(99, Math.floor((received / total) * 100))}%` : "";
  app.store.set({ loading: `Loading the model (${file})…${percent}` });
}
