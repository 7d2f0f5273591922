// Classifies pixels with the model in use and puts the answer (or why there is none) in the
// state. The "detect" measure runs from the caller's "detect-start" mark to the result on screen.
import type { App } from "../app.ts";

export const NO_MODEL_MESSAGE = "No model is loaded yet.";

export async function classifyImage(app: App, image: ImageData, noInkMessage: string) {
  const current = await app.models.current();
  if (!current) {
    app.store.set({ message: NO_MODEL_MESSAGE });
    return;
  }
  const result = current.recognize(image);
  if (!result) {
    app.store.set({ result: null, message: noInkMessage });
    return;
  }
  app.store.set({ result, message: "" });
  performance.measure("detect", "detect-start");
}
