// Intent: "read this image" (file picker, drop or paste). It is classified as soon as it is read.
import type { App } from "../app.ts";
import { loadLineReader } from "../line-reader.ts";
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
      messageIsError: true,
      message:
        error instanceof UnreadableImageError
          ? `${capitalize(error.message)}: try a PNG or JPEG photo.`
          : "Could not read that file: try a PNG or JPEG photo.",
    });
    return;
  }
  app.live.cancel();
  app.pad.clear();
  app.store.set({ preview: image, padEmpty: true });
  performance.mark("detect-start");
  // Several digits: the number; one digit (or none found): read as a single digit, as always.
  const current = await app.models.current();
  const read = current ? readUploadedNumber(current, image, await loadLineReader()) : null;
  if (read?.onlyShading) {
    // Shadows on blank paper are no digit, whatever a one-digit reading makes of them.
    app.store.set({ result: null, stale: false, message: NO_DIGIT_IN_IMAGE });
    return;
  }
  const number = read?.shown;
  if (number) {
    app.store.set({ result: number.result, number, stale: false, message: "" });
    performance.measure("detect", "detect-start");
    return;
  }
  await classifyImage(app, image, NO_DIGIT_IN_IMAGE);
}

/** For an image without ink: what to change, not just what went wrong. */
export const NO_DIGIT_IN_IMAGE =
  "No digit found in that image: take the photo closer, with the digit dark on plain paper and evenly lit.";

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
