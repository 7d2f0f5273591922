// Intent: a stroke was drawn. The answer is about the drawing now, not an upload; live mode reads it.
import type { App } from "../app.ts";
import { detectDrawing } from "./detect.ts";

export function finishStroke(app: App): void {
  if (app.store.state.preview) app.store.set({ preview: null });
  if (app.live()) void detectDrawing(app);
}
