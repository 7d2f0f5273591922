import { type DecodedImage, ImageError } from "./image-error.ts";

// Compression methods we read: none, and uncompressed pixels with channel bit masks.
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = { 1: "RLE8", 2: "RLE4", 4: "JPEG", 5: "PNG" };

/** A channel stored under a bit mask: where it sits and how to stretch it to 8 bits. */
interface Channel {
  mask: number;
  shift: number;
  max: number;
}

function channel(mask: number): Channel {
  if (mask === 0) return { mask: 0, shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { mask: mask >>> 0, shift, max: (mask >>> shift) >>> 0 };
}

function readChannel(value: number, c: Channel, missing: number): number {
  if (c.mask === 0) return missing;
  return Math.round((((value & c.mask) >>> c.shift) * 255) / c.max);
}

/**
 * Decodes a Windows BMP: 1-, 4- and 8-bit palette images, 16-, 24- and 32-bit colour (with
 * channel masks where given), rows stored bottom-up (the usual way) or top-down.
 */
export function decodeBmp(bytes: Uint8Array): DecodedImage {
  if (bytes.length < 26) throw new ImageError("truncated BMP: the header is incomplete");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  const core = headerSize === 12;
  if (!core && headerSize < 40) throw new ImageError(`corrupt BMP: header size ${headerSize}`);
  if (bytes.length < 14 + headerSize)
    throw new ImageError("truncated BMP: the header is incomplete");

  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getInt16(20, true) : view.getInt32(22, true);
  const bitsPerPixel = core ? view.getUint16(24, true) : view.getUint16(28, true);
  const compression = core ? BI_RGB : view.getUint32(30, true);
  const colorsUsed = core ? 0 : view.getUint32(46, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new ImageError(`corrupt BMP: size ${width}×${height}`);
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) {
    throw new ImageError(`unsupported BMP: ${bitsPerPixel} bits per pixel`);
  }
  if (![BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) {
    const name = COMPRESSION_NAMES[compression] ?? `method ${compression}`;
    throw new ImageError(`unsupported BMP compression (${name})`);
  }

  // Channel masks: in the header from V2 (52 bytes) on, else right after a 40-byte header.
  let masksEnd = 14 + headerSize;
  let red = channel(0x7c00);
  let green = channel(0x03e0);
  let blue = channel(0x001f);
  let alpha = channel(0);
  if (bitsPerPixel === 24 || (bitsPerPixel === 32 && compression === BI_RGB)) {
    red = channel(0xff0000);
    green = channel(0x00ff00);
    blue = channel(0x0000ff);
  }
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    const withAlpha = compression === BI_ALPHABITFIELDS || headerSize >= 56;
    if (headerSize === 40) masksEnd += withAlpha ? 16 : 12;
    if (bytes.length < 54 + (withAlpha ? 16 : 12)) throw new ImageError("truncated BMP: no masks");
    red = channel(view.getUint32(54, true));
    green = channel(view.getUint32(58, true));
    blue = channel(view.getUint32(62, true));
    if (withAlpha) alpha = channel(view.getUint32(66, true));
  }

  // The palette (blue, green, red[, reserved]) follows the header and masks.
  let palette: Uint8Array | null = null;
  if (bitsPerPixel <= 8) {
    const entrySize = core ? 3 : 4;
    const count =
      colorsUsed > 0 && colorsUsed <= 1 << bitsPerPixel ? colorsUsed : 1 << bitsPerPixel;
    if (masksEnd + count * entrySize > bytes.length) {
      throw new ImageError("truncated BMP: the palette is incomplete");
    }
    palette = new Uint8Array(256 * 3); // entries past `count` read as black
    for (let i = 0; i < count; i++) {
      const at = masksEnd + i * entrySize;
      palette[i * 3] = bytes[at + 2];
      palette[i * 3 + 1] = bytes[at + 1];
      palette[i * 3 + 2] = bytes[at];
    }
  }

  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  if (pixelOffset + stride * height > bytes.length) {
    throw new ImageError(
      `truncated BMP: ${bytes.length} bytes, the pixels need ${pixelOffset + stride * height}`,
    );
  }

  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (topDown ? y : height - 1 - y) * stride;
    let out = y * width * 4;
    for (let x = 0; x < width; x++, out += 4) {
      if (palette) {
        const bitsAt = x * bitsPerPixel;
        const byte = bytes[row + (bitsAt >> 3)];
        const index = (byte >> (8 - bitsPerPixel - (bitsAt & 7))) & ((1 << bitsPerPixel) - 1);
        data[out] = palette[index * 3];
        data[out + 1] = palette[index * 3 + 1];
        data[out + 2] = palette[index * 3 + 2];
        data[out + 3] = 255;
      } else if (bitsPerPixel === 24) {
        const at = row + x * 3;
        data[out] = bytes[at + 2];
        data[out + 1] = bytes[at + 1];
        data[out + 2] = bytes[at];
        data[out + 3] = 255;
      } else {
        const at = row + (x * bitsPerPixel) / 8;
        const value = bitsPerPixel === 16 ? view.getUint16(at, true) : view.getUint32(at, true);
        data[out] = readChannel(value, red, 0);
        data[out + 1] = readChannel(value, green, 0);
        data[out + 2] = readChannel(value, blue, 0);
        data[out + 3] = readChannel(value, alpha, 255);
      }
    }
  }
  // Some writers leave the alpha channel all zero: read such an image as opaque, as browsers do.
  if (alpha.mask !== 0 && data.every((v, i) => (i & 3) !== 3 || v === 0)) {
    for (let i = 3; i < data.length; i += 4) data[i] = 255;
  }
  return { width, height, data };
}
