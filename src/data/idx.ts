import { gunzipSync } from "node:zlib";
import { UserError } from "../util/errors.ts";

/** An IDX array of unsigned bytes (the only element type MNIST-style sets use). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * Parses an IDX file (raw or gzip-compressed). `file` names the file in error messages: every
 * problem (bad magic, header that disagrees with the byte count, truncation) is one line.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  let raw = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = new Uint8Array(gunzipSync(bytes));
    } catch {
      throw new UserError(`${file}: corrupt or truncated gzip data`);
    }
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
