// Intent: "read this image" (file picker, drop or paste). It is classified as soon as it is read.
import type { App } from "../app.ts";
import { readUploadedNumber } from "../number-reading.ts";
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
  app.live.cancel();
  app.pad.clear();
  app.store.set({ preview: image });
  performance.mark("detect-start");
  // Several digits: the number; one digit (or none found): read as a single digit, as always.
  const current = await app.models.current();
  const number = current ? readUploadedNumber(current, image) : null;
  if (number) {
    app.store.set({ result: number.result, number, stale: false, message: "" });
    performance.measure("detect", "detect-start");
    return;
  }
  await classifyImage(app, image, "No digit found in that image.");
}
