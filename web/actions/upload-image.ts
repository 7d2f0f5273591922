// Intent: "read this image" (file picker, drop or paste). It is classified as soon as it is read.
import type { App } from "../app.ts";
import { decodeImage, UnreadableImageError } from "../upload.ts";
import { classifyImage } from "./classify.ts";

export async function uploadImage(app: App, file: File): Promise<void> {
  let image: ImageData;
  try {
    image = await decodeImage(file);
  } catch (error) {
    app.store.set({
      result: null,
      preview: null,
      message:
        error instanceof UnreadableImageError ? `${error.message}.` : "Could not read that file.",
    });
    return;
  }
  app.pad.clear();
  app.store.set({ preview: image });
  performance.mark("detect-start");
  await classifyImage(app, image, "No digit found in that image.");
}
