// Intent: "read what I drew" (the Detect button, live mode after a pause, a model switch).
import type { App } from "../app.ts";
import { classifyImage, NO_MODEL_MESSAGE } from "./classify.ts";
import { readNumberOnPad } from "./read-number.ts";

/** Said when Detect is pressed on an empty pad (no digits in it: tests read digits as answers). */
export const EMPTY_PAD_MESSAGE = "Draw a digit first.";
/** Said when Detect is pressed before the model has loaded; the answer follows by itself. */
export const WAIT_MESSAGE = "The model is still loading: your answer comes as soon as it is ready.";
/** Said instead of an answer for a mark too small to be a digit (a dot, a tick). */
export const TOO_SMALL_MESSAGE = "That mark is too small to read: draw the digit larger.";
/**
 * The drawn points must span at least this share of the pad (longer side). Digits are drawn a
 * third of the pad or more; a dot spans ~0 and is blown up to fill the 28×28 view otherwise.
 */
export const MIN_EXTENT = 0.08;

export async function detectDrawing(app: App): Promise<void> {
  app.live.cancel();
  if (app.pad.isEmpty) {
    app.store.set({ result: null, stale: false, message: EMPTY_PAD_MESSAGE });
    return;
  }
  if (app.pad.extent() < MIN_EXTENT) {
    app.store.set({ result: null, stale: false, message: TOO_SMALL_MESSAGE });
    return;
  }
  if (app.store.state.loading !== null) app.store.set({ message: WAIT_MESSAGE });
  const current = await app.models.current();
  performance.mark("detect-start");
  if (!current) app.store.set({ message: NO_MODEL_MESSAGE });
  else if (app.store.state.numberMode) readNumberOnPad(app, current);
  else await classifyImage(app, app.pad.rasterize(), EMPTY_PAD_MESSAGE);
}
