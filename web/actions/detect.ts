// Intent: "read what I drew" (the Detect button, live mode after a stroke, a model switch).
import type { App } from "../app.ts";
import { classifyImage, NO_MODEL_MESSAGE } from "./classify.ts";

/** Said when Detect is pressed on an empty pad (no digits in it: tests read digits as answers). */
export const EMPTY_PAD_MESSAGE = "Draw a digit first.";

export async function detectDrawing(app: App): Promise<void> {
  if (app.pad.isEmpty) {
    app.store.set({ result: null, message: EMPTY_PAD_MESSAGE });
    return;
  }
  const current = await app.models.current();
  performance.mark("detect-start");
  if (current) await classifyImage(app, app.pad.rasterize(), EMPTY_PAD_MESSAGE);
  else app.store.set({ message: NO_MODEL_MESSAGE });
}
