import { UserError } from "../util/errors.ts";

/**
 * The zip archive that TFLite Metadata appends to a model for its associated files (labels):
 * entries stored, not compressed, as the Task Library's metadata populator writes them, with
 * offsets counted from the start of the model file so that any zip reader (minizip in MediaPipe
 * and the Task Library, `unzip`) finds them. Written here because it is ~100 lines with no
 * compression; fflate would add inflate code we do not need and still leave the offsets to us.
 */

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated, ... */
  method: number;
  size: number;
  compressedSize: number;
  /** The bytes, for stored entries (a view into the file). */
  data?: Uint8Array;
}

export class ZipFormatError extends UserError {
  constructor(message: string) {
    super(`its attached zip archive is not valid: ${message}`);
    this.name = "ZipFormatError";
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
// 1980-01-01 00:00: a fixed date keeps exports byte-for-byte repeatable.
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** A stored zip of `files` meant to follow `baseOffset` bytes of other data (the model). */
export function storedZip(
  files: { name: string; data: Uint8Array }[],
  baseOffset: number,
): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = baseOffset;
  for (const file of files) {
    const name = encoder.encode(file.name);
    const crc = crc32(file.data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, LOCAL, true);
    local.setUint16(4, 10, true); // version needed: 1.0
    local.setUint16(8, 0, true); // stored
    local.setUint16(12, DOS_DATE, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, file.data.length, true);
    local.setUint32(22, file.data.length, true);
    local.setUint16(26, name.length, true);
    const header = new DataView(new ArrayBuffer(46));
    header.setUint32(0, CENTRAL, true);
    header.setUint16(4, 10, true);
    header.setUint16(6, 10, true);
    header.setUint16(14, DOS_DATE, true);
    header.setUint32(16, crc, true);
    header.setUint32(20, file.data.length, true);
    header.setUint32(24, file.data.length, true);
    header.setUint16(28, name.length, true);
    header.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), name, file.data);
    central.push(new Uint8Array(header.buffer), name);
    offset += 30 + name.length + file.data.length;
  }
  const centralSize = central.reduce((n, p) => n + p.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, END, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The entries of a zip archive at the end of `bytes`, or [] when there is none. Offsets may
 * count from the start of the file or of the archive (minizip's rule: the gap between where the
 * central directory is and where the end record says it is, is data before the archive).
 */
export function readZipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.byteLength;
  let end = -1;
  for (let p = size - 22; p >= Math.max(0, size - 22 - 0xffff); p--) {
    if (view.getUint32(p, true) === END && p + 22 + view.getUint16(p + 20, true) === size) {
      end = p;
      break;
    }
  }
  if (end < 0) return [];
  const count = view.getUint16(end + 10, true);
  const centralSize = view.getUint32(end + 12, true);
  const centralOffset = view.getUint32(end + 16, true);
  const before = end - centralSize - centralOffset; // bytes before the archive
  if (before < 0) throw new ZipFormatError("its directory lies outside the file");
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let p = before + centralOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > end || view.getUint32(p, true) !== CENTRAL) {
      throw new ZipFormatError(`directory entry ${i} is damaged`);
    }
    const method = view.getUint16(p + 10, true);
    const compressedSize = view.getUint32(p + 20, true);
    const entrySize = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extra = view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    const local = before + view.getUint32(p + 42, true);
    if (p + 46 + nameLength > end) throw new ZipFormatError(`directory entry ${i} is damaged`);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    if (local + 30 > size || view.getUint32(local, true) !== LOCAL) {
      throw new ZipFormatError(`entry "${name}" points outside the archive`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressedSize > size) throw new ZipFormatError(`entry "${name}" is truncated`);
    const entry: ZipEntry = { name, method, size: entrySize, compressedSize };
    if (method === 0 && compressedSize === entrySize) {
      entry.data = bytes.subarray(start, start + entrySize);
    }
    entries.push(entry);
    p += 46 + nameLength + extra;
  }
  return entries;
}
