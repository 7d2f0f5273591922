import type { GifReader } from "omggif";
import { checkDecodeMemory, checkPixels } from "./budget.ts";
import { ImageError } from "./image-error.ts";

/**
 * Checks the frame we decode (the first) before omggif does: omggif allocates a buffer of the
 * frame's own width × height, whatever the screen's, and writes rows by the screen's width, so a
 * frame larger than the screen costs its claim and lands garbled. Such a frame is refused.
 */
export function checkGifFrame(reader: GifReader, bytes: Uint8Array): void {
  if (reader.numFrames() === 0) throw new ImageError("corrupt GIF: no frames");
  const frame = reader.frameInfo(0);
  checkPixels(frame.width, frame.height);
  if (frame.x + frame.width > reader.width || frame.y + frame.height > reader.height) {
    throw new ImageError(
      `corrupt GIF: the first frame (${frame.width}×${frame.height} at ${frame.x},${frame.y}) does not fit in its ${reader.width}×${reader.height} screen`,
    );
  }
  checkGifLzw(bytes, frame.data_offset, frame.width * frame.height);
  // omggif's index buffer (one byte a pixel) and the RGBA screen.
  checkDecodeMemory(
    "GIF",
    reader.width,
    reader.height,
    frame.width * frame.height + reader.width * reader.height * 4,
  );
}

/**
 * Walks the first frame's LZW codes the way omggif will, without writing pixels, and refuses a
 * stream omggif would loop on forever. omggif does not clear its code table on a clear code, and
 * follows a code beyond the table (invalid) through entries left from before the clear: damaged
 * data can make those entries point at each other, and its prefix chase never ends. A valid
 * stream only names codes up to the next free one, whose prefixes always point to smaller codes,
 * so every chase ends. Also tells whether the data fills the frame (else: truncated).
 */
export function checkGifLzw(bytes: Uint8Array, offset: number, pixels: number): void {
  let p = offset;
  const minCodeSize = bytes[p++];
  if (!(minCodeSize >= 1 && minCodeSize <= 8)) {
    throw new ImageError(`corrupt GIF: LZW code size ${minCodeSize}`);
  }
  const clearCode = 1 << minCodeSize;
  const eoiCode = clearCode + 1;
  let nextCode = eoiCode + 1;
  let codeSize = minCodeSize + 1;
  let codeMask = (1 << codeSize) - 1;
  let cur = 0;
  let shift = 0;
  let subblock = bytes[p++] ?? 0;
  const lengths = new Int32Array(4096).fill(1);
  let prev: number | null = null;
  let out = 0;
  for (;;) {
    while (shift < 16) {
      if (subblock === 0) break;
      cur |= (bytes[p++] ?? 0) << shift;
      shift += 8;
      if (subblock === 1) subblock = bytes[p++] ?? 0;
      else subblock--;
    }
    if (shift < codeSize) break;
    const code = cur & codeMask;
    cur >>= codeSize;
    shift -= codeSize;
    if (code === clearCode) {
      nextCode = eoiCode + 1;
      codeSize = minCodeSize + 1;
      codeMask = (1 << codeSize) - 1;
      prev = null;
      continue;
    }
    if (code === eoiCode) break;
    if (code > nextCode || (code === nextCode && prev === null)) {
      throw new ImageError("corrupt GIF: the first frame's data names a code that does not exist");
    }
    const length = code < nextCode ? lengths[code] : (lengths[prev as number] ?? 1) + 1;
    out += length;
    if (out > pixels) return; // omggif stops here ("longer than expected"): the frame is full
    if (prev !== null && nextCode < 4096) {
      lengths[nextCode++] = lengths[prev] + 1;
      if (nextCode >= codeMask + 1 && codeSize < 12) {
        codeSize++;
        codeMask = (codeMask << 1) | 1;
      }
    }
    prev = code;
  }
  if (out < pixels) throw new ImageError("truncated GIF: the first frame's data ends early");
}
