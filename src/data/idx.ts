import { constants, gunzipSync } from "node:zlib";
import { UserError } from "../util/errors.ts";
import { formatBytes } from "../util/read-file.ts";

/** An IDX array of unsigned bytes (the only element type MNIST-style sets use). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * The most data bytes an IDX file may hold (after inflating): 342,000 images of 28×28. A set
 * larger than this is refused as too big (not as corrupt), before it is inflated.
 */
export const MAX_IDX_BYTES = 256 * 2 ** 20;
/** The longest IDX header: magic, then four dimensions. */
export const MAX_IDX_HEADER = 4 + 4 * 4;

const PROBE_OUTPUT = 2 ** 20;

/**
 * Inflates the first bytes of a gzip file, enough to read an IDX header (20 bytes), without
 * inflating the rest: ever shorter or longer prefixes of the compressed data are inflated with
 * a sync flush (a cut stream gives what it has) and an output cap, until one gives between
 * `want` bytes and the cap. Output grows with the prefix, so this converges in a few steps.
 */
function gunzipHead(bytes: Uint8Array, want: number, file: string): Uint8Array {
  let low = 0; // a prefix known to give too little
  let high = bytes.length + 1; // a prefix known to give too much (or beyond the end)
  let length = Math.min(64, bytes.length);
  for (;;) {
    let out: Uint8Array | null;
    try {
      out = gunzipSync(bytes.subarray(0, length), {
        finishFlush: constants.Z_SYNC_FLUSH,
        maxOutputLength: PROBE_OUTPUT,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE") {
        throw new UserError(`${file}: corrupt or truncated gzip data`);
      }
      out = null;
    }
    if (out && (out.length >= want || length === bytes.length)) return out;
    if (out) low = length;
    else high = length;
    const next = high > bytes.length ? Math.min(bytes.length, length * 4) : (low + high) >> 1;
    if (next === length || next <= low) return out ?? new Uint8Array(0);
    length = next;
  }
}

/** The element count an IDX header states (without checking the data), or null if unreadable. */
function headerDims(raw: Uint8Array): number[] | null {
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0 || raw[2] !== UBYTE) return null;
  const rank = raw[3];
  if (rank < 1 || rank > 4 || raw.length < 4 + 4 * rank) return null;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
}

function tooBig(file: string, dims: number[], bytes: number): UserError {
  return new UserError(
    `${file}: too big: the header says [${dims.join("×")}], ${formatBytes(bytes)} of data, more than the ${formatBytes(MAX_IDX_BYTES)} DigitKit reads`,
  );
}

/**
 * Inflates a gzip IDX file by its header: the header is read first, a set over MAX_IDX_BYTES is
 * refused as too big, and the whole file is inflated with a cap just above what the header
 * needs, so a zlib bomb stops there.
 */
function gunzipIdx(bytes: Uint8Array, file: string): Uint8Array {
  const head = gunzipHead(bytes, MAX_IDX_HEADER, file);
  const dims = headerDims(head);
  if (!dims) return head; // parseIdx says what is wrong with it
  const needed = dims.reduce((a, b) => a * b, 1);
  if (needed > MAX_IDX_BYTES) throw tooBig(file, dims, needed);
  try {
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: 4 + 4 * dims.length + needed + 1 }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new UserError(
        `${file}: inconsistent IDX file: it inflates to more than the ${needed} bytes its header [${dims.join("×")}] needs`,
      );
    }
    throw new UserError(`${file}: corrupt or truncated gzip data`);
  }
}

/**
 * Parses an IDX file (raw or gzip-compressed). `file` names the file in error messages: every
 * problem (bad magic, header that disagrees with the byte count, truncation) is one line.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  let raw = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    raw = gunzipIdx(bytes, file);
  }
  if (raw.length < 4) throw new UserError(`${file}: truncated IDX file (${raw.length} bytes)`);
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new UserError(`${file}: not an IDX file (wrong magic number)`);
  }
  if (raw[2] !== UBYTE) {
    throw new UserError(
      `${file}: unsupported IDX element type 0x${raw[2].toString(16)} (expected unsigned bytes)`,
    );
  }
  const rank = raw[3];
  if (rank < 1 || rank > 4) throw new UserError(`${file}: IDX header has ${rank} dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (raw.length < headerBytes) throw new UserError(`${file}: truncated IDX header`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected > MAX_IDX_BYTES) throw tooBig(file, dims, expected);
  const actual = raw.length - headerBytes;
  if (actual < expected) {
    throw new UserError(
      `${file}: truncated IDX data (header [${dims.join("×")}] needs ${expected} bytes, found ${actual})`,
    );
  }
  if (actual > expected) {
    throw new UserError(
      `${file}: inconsistent IDX header ([${dims.join("×")}] = ${expected} bytes, file has ${actual})`,
    );
  }
  return { dims, data: raw.subarray(headerBytes) };
}

/** Writes an IDX file of unsigned bytes (used for fixtures and subsets). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  out.set(data, 4 + 4 * dims.length);
  return out;
}
