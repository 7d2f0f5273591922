import { createInflate } from "node:zlib";
import { checkDecodeMemory } from "./budget.ts";
import { ImageError } from "./image-error.ts";

/** A PNG's header and its compressed pixel data, read from the chunk list without decoding. */
export interface PngLayout {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  /** The IDAT chunks' data, in order. */
  idat: Uint8Array[];
  /** Bytes the pixel data must inflate to: every row of every pass, with its filter byte. */
  rawBytes: number;
}

const SIGNATURE_BYTES = 8;
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
/** Adam7: first column, first row, column step, row step of each pass. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** The raw (filtered) size of the image: rows of ceil(width·bits/8) bytes plus a filter byte. */
export function rawSize(width: number, height: number, bitsPerPixel: number, interlaced: boolean) {
  const rows = (w: number, h: number) =>
    w > 0 && h > 0 ? h * (Math.ceil((w * bitsPerPixel) / 8) + 1) : 0;
  if (!interlaced) return rows(width, height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    total += rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy));
  }
  return total;
}

/** Reads the chunk list: IHDR checked, IDAT data collected, nothing inflated. */
export function scanPng(bytes: Uint8Array): PngLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = SIGNATURE_BYTES;
  let header: Omit<PngLayout, "idat" | "rawBytes"> | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const dataAt = at + 8;
    if (dataAt + length + 4 > bytes.length) {
      throw new ImageError(
        `truncated or corrupt PNG (the ${type.replace(/[^A-Za-z]/g, "?")} chunk is cut short)`,
      );
    }
    if (!header && type !== "IHDR") throw new ImageError("corrupt PNG: no IHDR");
    if (type === "IHDR") {
      if (header) throw new ImageError("corrupt PNG: two IHDR chunks");
      if (length !== 13) throw new ImageError("corrupt PNG: IHDR of the wrong length");
      const colorType = bytes[dataAt + 9];
      const bitDepth = bytes[dataAt + 8];
      if (!(colorType in DEPTHS) || !DEPTHS[colorType].includes(bitDepth)) {
        throw new ImageError(`corrupt PNG: colour type ${colorType} with ${bitDepth}-bit samples`);
      }
      if (bytes[dataAt + 12] > 1) throw new ImageError("corrupt PNG: unknown interlace method");
      header = {
        width: view.getUint32(dataAt),
        height: view.getUint32(dataAt + 4),
        bitDepth,
        colorType,
        interlaced: bytes[dataAt + 12] === 1,
      };
    } else if (type === "IDAT") {
      idat.push(bytes.subarray(dataAt, dataAt + length));
    } else if (type === "IEND") {
      ended = true;
      break;
    }
    at = dataAt + length + 4;
  }
  if (!header) throw new ImageError("truncated PNG: the header is incomplete");
  if (!ended && idat.length === 0) throw new ImageError("truncated or corrupt PNG (no pixel data)");
  if (idat.length === 0) throw new ImageError("corrupt PNG: no pixel data (IDAT)");
  const bits = CHANNELS[header.colorType] * header.bitDepth;
  return {
    ...header,
    idat,
    rawBytes: rawSize(header.width, header.height, bits, header.interlaced),
  };
}

/**
 * pngjs's peak, as measured: the joined IDAT data, the inflated rows, the unfiltered rows (twice:
 * as pieces and joined), the bitmap (16-bit samples as a Uint16Array of four channels) and, for
 * 16-bit or palette images, the 8-bit RGBA it is normalised to.
 */
export function pngDecodeBytes(layout: PngLayout, compressedBytes: number): number {
  const pixels = layout.width * layout.height;
  const bitmap = pixels * 4 * (layout.bitDepth === 16 ? 2 : 1);
  const normalised = layout.bitDepth === 8 && layout.colorType !== 3 ? 0 : pixels * 4;
  return compressedBytes + 3 * layout.rawBytes + bitmap + normalised;
}

/**
 * Inflates the pixel data only to count it, in pieces that are dropped as they come, stopping
 * as soon as it passes `limit`: a zlib bomb costs at most `limit` bytes of work, never its claim.
 * Resolves with the inflated size (up to limit + one piece) and whether the stream ended cleanly.
 */
export function countInflated(
  parts: Uint8Array[],
  limit: number,
): Promise<{ bytes: number; complete: boolean }> {
  return new Promise((resolve) => {
    const inflate = createInflate({ chunkSize: 64 * 1024 });
    let bytes = 0;
    let done = false;
    const finish = (complete: boolean) => {
      if (done) return;
      done = true;
      inflate.destroy();
      resolve({ bytes, complete });
    };
    inflate.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) finish(false);
    });
    inflate.on("end", () => finish(true));
    inflate.on("error", () => finish(false));
    for (const part of parts) inflate.write(part);
    inflate.end();
  });
}

/**
 * Checks a PNG before pngjs sees it: its decoding fits the memory budget, and its pixel data
 * inflates to exactly what its size needs (less: truncated; more: refused for an interlaced
 * image, whose extra data pngjs would inflate without a limit; pngjs reads only the rows it
 * needs of a plain one).
 */
export async function checkPng(bytes: Uint8Array): Promise<PngLayout> {
  const layout = scanPng(bytes);
  const compressed = layout.idat.reduce((sum, part) => sum + part.length, 0);
  checkDecodeMemory("PNG", layout.width, layout.height, pngDecodeBytes(layout, compressed));
  const { bytes: inflated, complete } = await countInflated(layout.idat, layout.rawBytes);
  if (inflated < layout.rawBytes) {
    throw new ImageError(
      complete
        ? `truncated or corrupt PNG (the pixel data holds ${inflated} of the ${layout.rawBytes} bytes its ${layout.width}×${layout.height} size needs)`
        : "truncated or corrupt PNG (the pixel data cannot be inflated)",
    );
  }
  if (inflated > layout.rawBytes && layout.interlaced) {
    throw new ImageError(
      `corrupt PNG: the pixel data inflates to more than the ${layout.rawBytes} bytes its size needs`,
    );
  }
  return layout;
}
