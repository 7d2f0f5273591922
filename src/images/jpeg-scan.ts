import {
  checkDecodeMemory,
  checkPixels,
  MAX_JPEG_BLOCK_VISITS,
  MAX_JPEG_SCAN_BYTES,
} from "./budget.ts";
import { ImageError } from "./image-error.ts";

/** What jpeg-js will be asked to do for a JPEG: its frame, and how many blocks its scans visit. */
export interface JpegLayout {
  width: number;
  height: number;
  /** 8×8 blocks jpeg-js allocates (whole MCUs of every component). */
  blocks: number;
  /** Blocks visited by all scans together. */
  blockVisits: number;
  scans: number;
  /** Bytes of entropy-coded data in all scans. */
  scanBytes: number;
}

interface Component {
  id: number;
  h: number;
  v: number;
}

const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];

/** Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/**
 * Walks the marker segments of a JPEG, skipping each scan's entropy-coded data (where a 0xFF is
 * followed by 0x00 or a restart marker), and counts what decoding will cost. Only lengths and
 * counts are read: nothing is decoded.
 */
export function scanJpeg(bytes: Uint8Array): JpegLayout {
  let at = 2;
  let frame: { width: number; height: number; components: Component[] } | undefined;
  let mcusPerLine = 0;
  let mcusPerColumn = 0;
  let maxH = 1;
  let maxV = 1;
  let blockVisits = 0;
  let scans = 0;
  let scanBytes = 0;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) {
      // Stray bytes between segments (some writers pad): skip to the next marker, as jpeg-js does.
      const next = bytes.indexOf(0xff, at);
      if (next < 0) break;
      at = next;
      continue;
    }
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd9) break; // end of image
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    const length = u16(bytes, at + 2);
    if (length < 2 || at + 2 + length > bytes.length) {
      throw new ImageError("truncated or corrupt JPEG (a header segment is cut short)");
    }
    const body = at + 4;
    if (isFrame(marker)) {
      if (frame) throw new ImageError("unsupported JPEG: more than one frame");
      const count = bytes[body + 5];
      if (length < 8 + 3 * count) throw new ImageError("corrupt JPEG: bad frame header");
      const components: Component[] = [];
      for (let i = 0; i < count; i++) {
        const c = body + 6 + 3 * i;
        const h = bytes[c + 1] >> 4;
        const v = bytes[c + 1] & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4) {
          throw new ImageError("corrupt JPEG: bad sampling factors");
        }
        components.push({ id: bytes[c], h, v });
      }
      frame = { width: u16(bytes, body + 3), height: u16(bytes, body + 1), components };
      checkPixels(frame.width, frame.height);
      maxH = Math.max(1, ...components.map((c) => c.h));
      maxV = Math.max(1, ...components.map((c) => c.v));
      mcusPerLine = Math.ceil(frame.width / 8 / maxH);
      mcusPerColumn = Math.ceil(frame.height / 8 / maxV);
    }
    at += 2 + length;
    if (marker === 0xda) {
      if (!frame) throw new ImageError("corrupt JPEG: a scan before the frame header");
      scans++;
      const count = bytes[body];
      for (let i = 0; i < count; i++) {
        const component = frame.components.find((c) => c.id === bytes[body + 1 + 2 * i]);
        if (!component) throw new ImageError("corrupt JPEG: a scan of an unknown component");
        // A scan of one component visits its own blocks; an interleaved scan whole MCUs.
        blockVisits +=
          count === 1
            ? Math.ceil((Math.ceil(frame.width / 8) * component.h) / maxH) *
              Math.ceil((Math.ceil(frame.height / 8) * component.v) / maxV)
            : mcusPerLine * mcusPerColumn * component.h * component.v;
      }
      if (blockVisits > MAX_JPEG_BLOCK_VISITS) {
        throw new ImageError(
          `unsupported JPEG: its ${scans}+ scans would pass over more than ${MAX_JPEG_BLOCK_VISITS} blocks (a progressive JPEG needs about ten passes)`,
        );
      }
      const end = skipEntropyData(bytes, at);
      scanBytes += end - at;
      at = end;
      if (scanBytes > MAX_JPEG_SCAN_BYTES) {
        throw new ImageError(
          `unsupported JPEG: more than ${MAX_JPEG_SCAN_BYTES / 2 ** 20} MB of compressed image data, more than DigitKit decodes in time (save it smaller)`,
        );
      }
    }
  }
  if (!frame) throw new ImageError("truncated JPEG: no frame header");
  if (scans === 0) throw new ImageError("truncated or corrupt JPEG (no image data)");
  const blocks = frame.components.reduce(
    (sum, c) => sum + mcusPerLine * c.h * mcusPerColumn * c.v,
    0,
  );
  return { width: frame.width, height: frame.height, blocks, blockVisits, scans, scanBytes };
}

/** The offset of the first marker after a scan's data (0xFF not followed by 0x00 or RSTn). */
function skipEntropyData(bytes: Uint8Array, at: number): number {
  let i = at;
  for (;;) {
    i = bytes.indexOf(0xff, i);
    if (i < 0 || i + 1 >= bytes.length) return bytes.length;
    const next = bytes[i + 1];
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) {
      i += next === 0xff ? 1 : 2;
      continue;
    }
    return i;
  }
}

/**
 * jpeg-js's peak, as measured: every 8×8 block an Int32Array of 64 (about 360 bytes with its
 * object), each component's samples, the output RGBA.
 */
export function jpegDecodeBytes(layout: JpegLayout): number {
  const pixels = layout.width * layout.height;
  return layout.blocks * 360 + layout.blocks * 64 + pixels * 4;
}

/** Checks a JPEG before jpeg-js sees it: one frame, within the pixel, memory and scan budgets. */
export function checkJpeg(bytes: Uint8Array): JpegLayout {
  const layout = scanJpeg(bytes);
  checkDecodeMemory("JPEG", layout.width, layout.height, jpegDecodeBytes(layout));
  return layout;
}
