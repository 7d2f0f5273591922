import { ImageError } from "./image-error.ts";

export type ImageFormat = "png" | "jpeg" | "bmp" | "gif" | "webp";

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The format the file's first bytes announce (its name is not consulted), or null. */
export function detectFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "webp";
  if (startsWith(bytes, ascii("BM"))) return "bmp";
  return null;
}

const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u24le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
const u32be = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at);
const i32le = (b: Uint8Array, at: number) =>
  new DataView(b.buffer, b.byteOffset).getInt32(at, true);

function need(bytes: Uint8Array, length: number, format: string): void {
  if (bytes.length < length) throw new ImageError(`truncated ${format}: the header is incomplete`);
}

/**
 * The image's size as its header states it, read without decoding, so that oversized images are
 * refused before any pixel memory is allocated.
 */
export function readImageSize(
  bytes: Uint8Array,
  format: ImageFormat,
): { width: number; height: number } {
  switch (format) {
    case "png":
      need(bytes, 24, "PNG");
      if (!startsWith(bytes, ascii("IHDR"), 12)) throw new ImageError("corrupt PNG: no IHDR");
      return { width: u32be(bytes, 16), height: u32be(bytes, 20) };
    case "gif":
      need(bytes, 10, "GIF");
      return { width: u16le(bytes, 6), height: u16le(bytes, 8) };
    case "bmp": {
      need(bytes, 26, "BMP");
      const headerSize = new DataView(bytes.buffer, bytes.byteOffset).getUint32(14, true);
      if (headerSize === 12) return { width: u16le(bytes, 18), height: u16le(bytes, 20) };
      return { width: Math.abs(i32le(bytes, 18)), height: Math.abs(i32le(bytes, 22)) };
    }
    case "jpeg":
      return jpegSize(bytes);
    case "webp":
      return webpSize(bytes);
  }
}

/** Walks the JPEG marker segments up to the first start-of-frame, which holds the size. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new ImageError("corrupt JPEG: bad marker");
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = u16be(bytes, at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      need(bytes, at + 9, "JPEG");
      return { width: u16be(bytes, at + 7), height: u16be(bytes, at + 5) };
    }
    at += 2 + length;
  }
  throw new ImageError("truncated JPEG: no frame header");
}

function webpSize(bytes: Uint8Array): { width: number; height: number } {
  need(bytes, 30, "WebP");
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk === "VP8 ") {
    return { width: u16le(bytes, 26) & 0x3fff, height: u16le(bytes, 28) & 0x3fff };
  }
  if (chunk === "VP8L") {
    const bits = bytes[21] | (bytes[22] << 8) | (bytes[23] << 16) | (bytes[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") return { width: u24le(bytes, 24) + 1, height: u24le(bytes, 27) + 1 };
  throw new ImageError(`corrupt WebP: unknown chunk "${chunk}"`);
}
