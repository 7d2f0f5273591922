// Intent: start over. The pad, the answer, the message and any upload go.
import type { App } from "../app.ts";

export function clearAll(app: App): void {
  app.pad.clear();
  app.store.set({ result: null, message: "", preview: null });
}
