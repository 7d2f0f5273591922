import { ImageError } from "./image-error.ts";

/**
 * What decoding one image may cost, fixed before a decoder starts. The libraries we decode with
 * (pngjs, jpeg-js, omggif, libwebp) trust the file's header and allocate or loop by it, so each
 * format is pre-scanned (png-scan.ts, jpeg-scan.ts, gif-scan.ts) and refused here when what it
 * would take exceeds these limits; the library only ever sees a file whose cost is known.
 */

/** Images larger than this are refused (checked from the header, before decoding). */
export const MAX_PIXELS = 50_000_000;

/**
 * The memory a decoder may use for one image, by our estimate of the library's own buffers
 * (measured: pngjs holds about four copies of the raw rows; jpeg-js about 360 bytes per 8×8
 * block). With the process's own ~150 MB this keeps `predict` under 1 GB on any input.
 */
export const DECODE_MEMORY_BYTES = 720 * 2 ** 20;

/**
 * JPEG: how many 8×8 blocks all the scans together may visit. A progressive scan passes over every
 * block of its components, however few bytes it holds, so hundreds of scans of a few bytes each
 * cost minutes; ordinary progressive files need about ten passes of the image.
 */
export const MAX_JPEG_BLOCK_VISITS = 16 * Math.ceil(MAX_PIXELS / 64);

/**
 * JPEG: the most entropy-coded (scan) data decoded. jpeg-js decodes about 3 MB of it a second
 * for a progressive file and 6 MB for a baseline one on a 2-core machine (measured: a 15 MB
 * 24-megapixel progressive JPEG took 5.6 s of CPU), so 16 MB keeps any JPEG under 10 s.
 */
export const MAX_JPEG_SCAN_BYTES = 16 * 2 ** 20;

/** Refuses an image whose decoding would need more memory than DECODE_MEMORY_BYTES. */
export function checkDecodeMemory(format: string, width: number, height: number, bytes: number) {
  if (bytes <= DECODE_MEMORY_BYTES) return;
  const mb = (n: number) => Math.ceil(n / 2 ** 20);
  throw new ImageError(
    `this ${width}×${height} ${format} would need about ${mb(bytes)} MB to decode, more than the ${mb(DECODE_MEMORY_BYTES)} MB allowed`,
  );
}

/** Refuses a frame of more than MAX_PIXELS, in the words the header check uses. */
export function checkPixels(width: number, height: number, maxPixels = MAX_PIXELS): void {
  if (width * height <= maxPixels) return;
  const mp = (width * height) / 1e6;
  throw new ImageError(
    `${width}×${height} is ${mp.toFixed(1)} megapixels, more than the ${maxPixels / 1e6} allowed`,
  );
}
