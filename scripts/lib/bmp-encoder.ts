/**
 * A small BMP writer, for making test fixtures in the layouts real files use: palette images
 * (1, 4, 8 bits a pixel) and colour images (24 bits, or 32 with an alpha mask), rows bottom-up
 * (the usual way) or top-down.
 */
export interface BmpSpec {
  width: number;
  height: number;
  bitsPerPixel: 1 | 4 | 8 | 24 | 32;
  /** Palette images: one index a pixel. Colour images: RGBA, 4 bytes a pixel. Top row first. */
  pixels: Uint8Array;
  /** Palette images: [red, green, blue] entries. */
  palette?: [number, number, number][];
  topDown?: boolean;
}

export function encodeBmp(spec: BmpSpec): Uint8Array {
  const { width, height, bitsPerPixel, pixels, topDown = false } = spec;
  const palette = spec.palette ?? [];
  const withAlpha = bitsPerPixel === 32;
  const headerSize = withAlpha ? 108 : 40; // BITMAPV4HEADER carries the alpha mask
  const paletteSize = bitsPerPixel <= 8 ? palette.length * 4 : 0;
  const pixelOffset = 14 + headerSize + paletteSize;
  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  const bytes = new Uint8Array(pixelOffset + stride * height);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x42; // "BM"
  bytes[1] = 0x4d;
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, pixelOffset, true);
  view.setUint32(14, headerSize, true);
  view.setInt32(18, width, true);
  view.setInt32(22, topDown ? -height : height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bitsPerPixel, true);
  view.setUint32(30, withAlpha ? 3 : 0, true); // BI_BITFIELDS : BI_RGB
  view.setUint32(34, stride * height, true);
  view.setInt32(38, 2835, true); // 72 dpi
  view.setInt32(42, 2835, true);
  view.setUint32(46, bitsPerPixel <= 8 ? palette.length : 0, true);
  if (withAlpha) {
    view.setUint32(54, 0x00ff0000, true);
    view.setUint32(58, 0x0000ff00, true);
    view.setUint32(62, 0x000000ff, true);
    view.setUint32(66, 0xff000000, true);
    view.setUint32(70, 0x57696e20, true); // "Win " colour space
  }
  palette.forEach(([r, g, b], i) => {
    const at = 14 + headerSize + i * 4;
    bytes[at] = b;
    bytes[at + 1] = g;
    bytes[at + 2] = r;
  });
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (bitsPerPixel <= 8) {
        const bitsAt = x * bitsPerPixel;
        bytes[row + (bitsAt >> 3)] |= pixels[i] << (8 - bitsPerPixel - (bitsAt & 7));
      } else {
        const at = row + x * (bitsPerPixel / 8);
        bytes[at] = pixels[i * 4 + 2];
        bytes[at + 1] = pixels[i * 4 + 1];
        bytes[at + 2] = pixels[i * 4];
        if (withAlpha) bytes[at + 3] = pixels[i * 4 + 3];
      }
    }
  }
  return bytes;
}

/** The 256-entry grey palette an 8-bit greyscale BMP (like the tutorial's three.bmp) carries. */
export function greyPalette(): [number, number, number][] {
  return Array.from({ length: 256 }, (_, i) => [i, i, i] as [number, number, number]);
}
