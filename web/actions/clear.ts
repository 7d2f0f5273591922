// Intent: start over. The pad, the answer, the message and any upload go.
import type { App } from "../app.ts";

export function clearAll(app: App): void {
  app.live.cancel();
  app.pad.clear();
  app.store.set({ result: null, stale: false, message: "", preview: null, padEmpty: true });
}
