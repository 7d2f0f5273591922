import jpeg from "jpeg-js";
import { GifReader } from "omggif";
import pngjs from "pngjs";
import { decodeBmp } from "./bmp.ts";
import { checkPixels, DECODE_MEMORY_BYTES, MAX_PIXELS } from "./budget.ts";
import { detectFormat, type ImageFormat, readImageSize } from "./format.ts";
import { checkGifFrame } from "./gif-scan.ts";
import { type DecodedImage, ImageError } from "./image-error.ts";
import { checkJpeg } from "./jpeg-scan.ts";
import { checkPng } from "./png-scan.ts";
import { decodeWebp } from "./webp.ts";

export { MAX_PIXELS } from "./budget.ts";

const NAMES: Record<ImageFormat, string> = {
  png: "PNG",
  jpeg: "JPEG",
  bmp: "BMP",
  gif: "GIF",
  webp: "WebP",
};

/**
 * Decodes a PNG, JPEG, BMP, GIF (first frame) or WebP file to RGBA. The format is told by the
 * file's first bytes, not its name. Every failure is an ImageError with a one-line reason.
 *
 * Work is bounded by what the file holds, not by what its header claims: the header size is
 * checked against `maxPixels`, then each format is pre-scanned (budget.ts) so that the library
 * decoding it never allocates or loops past the limits, and a library's console output (omggif
 * prints warnings) is caught rather than let through to stdout.
 */
export async function decodeImage(
  bytes: Uint8Array,
  maxPixels = MAX_PIXELS,
): Promise<DecodedImage> {
  if (bytes.length === 0) throw new ImageError("empty file (0 bytes)");
  const format = detectFormat(bytes);
  if (!format) throw new ImageError("not an image (PNG, JPEG, BMP, GIF or WebP)");
  const name = NAMES[format];
  const { width, height } = readImageSize(bytes, format);
  if (width === 0 || height === 0) throw new ImageError(`corrupt ${name}: size ${width}×${height}`);
  checkPixels(width, height, maxPixels);
  if (format === "bmp") return decodeBmp(bytes);
  if (format === "webp") return decodeWebp(bytes);
  if (format === "png") await checkPng(bytes);
  if (format === "jpeg") checkJpeg(bytes);
  try {
    return quietly(() => decodeWith(format, bytes));
  } catch (error) {
    if (error instanceof ImageError) throw error;
    throw new ImageError(`truncated or corrupt ${name} (${decoderReason(error)})`);
  }
}

function decodeWith(format: "png" | "jpeg" | "gif", bytes: Uint8Array): DecodedImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === "png") {
    const png = pngjs.PNG.sync.read(buffer);
    const data = png.data;
    return {
      width: png.width,
      height: png.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  }
  if (format === "jpeg") {
    // Not tolerant: a JPEG cut short is an error, not a picture with grey stripes.
    const image = jpeg.decode(buffer, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_PIXELS / 1e6,
      maxMemoryUsageInMB: Math.ceil((DECODE_MEMORY_BYTES * 1.25) / 2 ** 20),
    });
    return { width: image.width, height: image.height, data: image.data };
  }
  const gif = new GifReader(buffer);
  checkGifFrame(gif, bytes);
  const data = new Uint8Array(gif.width * gif.height * 4);
  gif.decodeAndBlitFrameRGBA(0, data);
  if (warnings.some((w) => /shorter than expected/.test(w))) {
    throw new ImageError("truncated GIF: the first frame's data ends early");
  }
  return { width: gif.width, height: gif.height, data };
}

/** What the last quietly() call caught from the console. */
let warnings: string[] = [];

/**
 * Runs a synchronous decoder with the console silenced: libraries print warnings (omggif's
 * "gif stream shorter than expected") with console.log, which would break `predict --json`.
 * They are kept in `warnings` for the caller to judge.
 */
function quietly<T>(run: () => T): T {
  const saved = {
    log: console.log,
    warn: console.warn,
    info: console.info,
    error: console.error,
    debug: console.debug,
  };
  warnings = [];
  const keep = (...args: unknown[]) => {
    warnings.push(args.map(String).join(" "));
  };
  Object.assign(console, { log: keep, warn: keep, info: keep, error: keep, debug: keep });
  try {
    return run();
  } finally {
    Object.assign(console, saved);
  }
}

/** The decoder's own words, made readable where they are cryptic; never more than a short line. */
function decoderReason(error: unknown): string {
  const message = String((error as Error)?.message ?? "").split("\n")[0];
  if (/finished stream|unexpected end|end of (file|data)|ran out of data/i.test(message)) {
    return "data ends early";
  }
  if (/incorrect (data|header) check|invalid (stored|distance|code|block)/i.test(message)) {
    return "damaged compressed data";
  }
  if (/crc/i.test(message)) return "a checksum does not match";
  if (/unexpected marker|marker was not found|unknown JPEG marker|invalid huffman/i.test(message)) {
    return "damaged image data";
  }
  return "unreadable data";
}
