import type { GifReader } from "omggif";
import { checkDecodeMemory, checkPixels } from "./budget.ts";
import { ImageError } from "./image-error.ts";

/**
 * Checks the frame we decode (the first) before omggif does: omggif allocates a buffer of the
 * frame's own width × height, whatever the screen's, and writes rows by the screen's width, so a
 * frame larger than the screen costs its claim and lands garbled. Such a frame is refused.
 */
export function checkGifFrame(reader: GifReader): void {
  if (reader.numFrames() === 0) throw new ImageError("corrupt GIF: no frames");
  const frame = reader.frameInfo(0);
  checkPixels(frame.width, frame.height);
  if (frame.x + frame.width > reader.width || frame.y + frame.height > reader.height) {
    throw new ImageError(
      `corrupt GIF: the first frame (${frame.width}×${frame.height} at ${frame.x},${frame.y}) does not fit in its ${reader.width}×${reader.height} screen`,
    );
  }
  // omggif's index buffer (one byte a pixel) and the RGBA screen.
  checkDecodeMemory(
    "GIF",
    reader.width,
    reader.height,
    frame.width * frame.height + reader.width * reader.height * 4,
  );
}
