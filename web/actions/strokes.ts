// Intents on the drawing itself: a stroke begins, a stroke ends, undo the last stroke. An answer
// on screen stops matching the drawing the moment it changes, so it is marked stale at once;
// live mode reads the drawing again once the hand has paused (not mid-digit).
import type { App } from "../app.ts";
import { detectDrawing } from "./detect.ts";

export function startStroke(app: App): void {
  app.live.cancel(); // the hand is moving again: a pending live answer would be mid-digit
  const { state } = app.store;
  if (state.padEmpty) app.store.set({ padEmpty: false });
  if (state.preview) app.store.set({ preview: null, result: null, message: "" });
  else if (state.result && !state.stale) app.store.set({ stale: true });
}

export function finishStroke(app: App): void {
  if (app.live.enabled()) app.live.schedule(() => void detectDrawing(app));
}

export function undoStroke(app: App): void {
  if (!app.pad.undo()) return;
  if (app.pad.isEmpty) {
    app.live.cancel();
    app.store.set({ result: null, stale: false, message: "", padEmpty: true });
    return;
  }
  if (app.store.state.result) app.store.set({ stale: true });
  finishStroke(app);
}
