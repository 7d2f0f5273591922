import jpeg from "jpeg-js";
import { GifReader } from "omggif";
import pngjs from "pngjs";
import { decodeBmp } from "./bmp.ts";
import { detectFormat, type ImageFormat, readImageSize } from "./format.ts";
import { type DecodedImage, ImageError } from "./image-error.ts";
import { decodeWebp } from "./webp.ts";

/** Images larger than this are refused (checked from the header, before decoding). */
export const MAX_PIXELS = 50_000_000;

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
  if (width * height > maxPixels) {
    const mp = (width * height) / 1e6;
    throw new ImageError(
      `${width}×${height} is ${mp.toFixed(1)} megapixels, more than the ${maxPixels / 1e6} allowed`,
    );
  }
  if (format === "bmp") return decodeBmp(bytes);
  if (format === "webp") return decodeWebp(bytes);
  try {
    return decodeWith(format, bytes);
  } catch (error) {
    if (error instanceof ImageError) throw error;
    throw new ImageError(`truncated or corrupt ${name} (${decoderReason(error)})`);
  }
}

function decodeWith(format: "png" | "jpeg" | "gif", bytes: Uint8Array): DecodedImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === "png") {
    const png = pngjs.PNG.sync.read(buffer);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
  }
  if (format === "jpeg") {
    // Not tolerant: a JPEG cut short is an error, not a picture with grey stripes.
    const image = jpeg.decode(buffer, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_PIXELS / 1e6,
      maxMemoryUsageInMB: 1024,
    });
    return { width: image.width, height: image.height, data: image.data };
  }
  const gif = new GifReader(buffer);
  if (gif.numFrames() === 0) throw new ImageError("corrupt GIF: no frames");
  const data = new Uint8Array(gif.width * gif.height * 4);
  gif.decodeAndBlitFrameRGBA(0, data);
  return { width: gif.width, height: gif.height, data };
}

/** The decoder's own words, made readable where they are cryptic. */
function decoderReason(error: unknown): string {
  const message = (error as Error)?.message?.split("\n")[0] ?? "";
  if (/finished stream|unexpected end|end of (file|data)/i.test(message)) return "data ends early";
  return message || "unreadable data";
}
