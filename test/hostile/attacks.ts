import { constants, deflateRawSync, deflateSync } from "node:zlib";

// Generators of hostile input files, shared by the tests in test/hostile/ and by
// bench/hostile.bench.ts. Each builds its file from nothing (no fixture is stored), so the
// attack is spelt out here: what the header claims and what the data really holds.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32be = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const u16le = (n: number) => Buffer.from([n & 255, n >>> 8]);
const u16be = (n: number) => Buffer.from([n >>> 8, n & 255]);

/**
 * A raw deflate stream that inflates to `prefix` followed by `zeros` zero bytes, built from
 * independently compressed 1 MiB pieces so that a multi-gigabyte bomb takes milliseconds to make.
 * The result is a few bytes per kilobyte it inflates to (zlib's limit is about 1:1032).
 */
export function deflateZeros(zeros: number, prefix: Uint8Array = new Uint8Array(0)): Buffer {
  const piece = 1 << 20;
  const flush = { finishFlush: constants.Z_SYNC_FLUSH, level: 9 };
  const parts: Buffer[] = [];
  if (prefix.length) parts.push(deflateRawSync(prefix, flush));
  const whole = deflateRawSync(Buffer.alloc(piece), flush);
  for (let left = zeros; left > 0; left -= piece) {
    parts.push(left >= piece ? whole : deflateRawSync(Buffer.alloc(left), flush));
  }
  parts.push(deflateRawSync(Buffer.alloc(0))); // the final (empty) block
  return Buffer.concat(parts);
}

/**
 * zlib framing around a raw deflate stream. The checksum is left zero (a bomb never reaches it)
 * unless the stream holds `zeros` zero bytes and nothing else, whose Adler-32 is known.
 */
export function zlibWrap(raw: Buffer, zeros?: number): Buffer {
  const adler = zeros === undefined ? Buffer.alloc(4) : u32be(((zeros % 65521) * 65536 + 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), raw, adler]);
}

/** gzip framing around a raw deflate stream (trailer left zero, as above). */
export const gzipWrap = (raw: Buffer) =>
  Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), raw, Buffer.alloc(8)]);

// ---------------------------------------------------------------- PNG

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  return Buffer.concat([u32be(data.length), body, u32be(crc32(body))]);
}

export interface PngSpec {
  width: number;
  height: number;
  /** zlib data of the IDAT chunk(s). */
  idat: Buffer;
  interlace?: boolean;
  colorType?: number; // 0 grey, 2 RGB, 6 RGBA
  bitDepth?: number;
}

export function png(spec: PngSpec): Buffer {
  const ihdr = Buffer.concat([
    u32be(spec.width),
    u32be(spec.height),
    Buffer.from([spec.bitDepth ?? 8, spec.colorType ?? 0, 0, 0, spec.interlace ? 1 : 0]),
  ]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", spec.idat),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

/** 68 bytes: a grey PNG whose header says 1×50,000,000 while its data holds one row. */
export const pngTallClaim = () =>
  png({ width: 1, height: 50_000_000, idat: deflateSync(Buffer.from([0, 255])) });

/** An interlaced PNG of legal size whose data inflates to `gigabytes` GB of zeros (~1 MB/GB). */
export const pngInterlacedBomb = (gigabytes = 3) =>
  png({
    width: 7000,
    height: 7000,
    interlace: true,
    idat: zlibWrap(deflateZeros(gigabytes * 2 ** 30)),
  });

/** The same bomb without interlacing. */
export const pngBomb = (gigabytes = 3) =>
  png({ width: 7000, height: 7000, idat: zlibWrap(deflateZeros(gigabytes * 2 ** 30)) });

/** A real, complete PNG of `width`×`height` (all black, RGBA 8-bit): the largest honest input. */
export function pngHonest(width: number, height: number, interlace = false): Buffer {
  const rowBytes = width * 4 + 1;
  let raw = 0;
  if (!interlace) raw = rowBytes * height;
  else {
    for (const [x0, y0, dx, dy] of ADAM7) {
      const w = Math.ceil((width - x0) / dx);
      const h = Math.ceil((height - y0) / dy);
      if (w > 0 && h > 0) raw += (w * 4 + 1) * h;
    }
  }
  return png({ width, height, interlace, colorType: 6, idat: zlibWrap(deflateZeros(raw), raw) });
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

// ---------------------------------------------------------------- GIF

/** 35 bytes: a GIF whose screen is 1×1 and whose first frame says 65535×65535. */
export function gifHugeFrame(frameWidth = 65535, frameHeight = 65535): Buffer {
  return Buffer.concat([
    Buffer.from("GIF89a", "latin1"),
    u16le(1),
    u16le(1),
    Buffer.from([0x80, 0, 0]), // global palette of 2 colours
    Buffer.from([0, 0, 0, 255, 255, 255]),
    Buffer.from([0x2c]),
    u16le(0),
    u16le(0),
    u16le(frameWidth),
    u16le(frameHeight),
    Buffer.from([0]),
    Buffer.from([2, 2, 0x4c, 0x01, 0]), // LZW: min code size 2, one sub-block
    Buffer.from([0x3b]),
  ]);
}

/** A GIF whose LZW data stops long before the frame is full (a cut-short file). */
export function gifShortData(width = 4000, height = 4000): Buffer {
  return Buffer.concat([
    Buffer.from("GIF89a", "latin1"),
    u16le(width),
    u16le(height),
    Buffer.from([0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x2c]),
    u16le(0),
    u16le(0),
    u16le(width),
    u16le(height),
    Buffer.from([0, 2, 2, 0x4c, 0x01, 0, 0x3b]),
  ]);
}

/**
 * A 4×4 GIF whose LZW codes make omggif's code table point an entry at itself (a code past the
 * table, then that code again), so its prefix chase never ends: 20 bits of data.
 */
export function gifLzwLoop(): Buffer {
  // Codes (3 bits, then 4): clear 4, literal 0, 7 (beyond the table), 6, then 7 again; end 5.
  const bits = 4 | (0 << 3) | (7 << 6) | (6 << 9) | (7 << 12) | (5 << 16);
  return Buffer.concat([
    Buffer.from("GIF89a", "latin1"),
    u16le(4),
    u16le(4),
    Buffer.from([0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x2c]),
    u16le(0),
    u16le(0),
    u16le(4),
    u16le(4),
    Buffer.from([0, 2, 3, bits & 255, (bits >> 8) & 255, bits >> 16, 0, 0x3b]),
  ]);
}

// ---------------------------------------------------------------- JPEG

function segment(marker: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0xff, marker]), u16be(body.length + 2), body]);
}

/**
 * A progressive JPEG of `width`×`height` (one grey component) made of `scans` AC scans, each a
 * few bytes long: every scan is one run of end-of-block codes covering all the blocks, so each
 * one costs a decoder a pass over every block while the file stays tiny.
 */
export function jpegManyScans(scans = 500, width = 8000, height = 6000): Buffer {
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  // Huffman tables: DC has one 1-bit code (category 0); AC has one 1-bit code for EOB14
  // (0xE0: an end-of-band run of 2^14 + 14 more bits), so 15 zero bits cover 16,384 blocks.
  const dht = Buffer.concat([
    Buffer.from([0x00, 1, ...new Array(15).fill(0), 0x00]),
    Buffer.from([0x10, 1, ...new Array(15).fill(0), 0xe0]),
  ]);
  const sof = Buffer.concat([
    Buffer.from([8]),
    u16be(height),
    u16be(width),
    Buffer.from([1, 1, 0x11, 0]),
  ]);
  const runs = Math.ceil(blocks / 16384);
  const scanData = Buffer.alloc(Math.ceil((runs * 15) / 8) + 1); // zero bits
  const parts: Buffer[] = [
    Buffer.from([0xff, 0xd8]),
    segment(0xdb, Buffer.from([0, ...new Array(64).fill(1)])),
    segment(0xc2, sof),
    segment(0xc4, dht),
  ];
  for (let s = 0; s < scans; s++) {
    parts.push(segment(0xda, Buffer.from([1, 1, 0x00, 1, 63, 0x00])), scanData);
  }
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

/** A baseline JPEG header claiming `width`×`height` with almost no data. */
export function jpegBigClaim(width = 7000, height = 7000): Buffer {
  const dht = Buffer.concat([
    Buffer.from([0x00, 1, ...new Array(15).fill(0), 0x00]),
    Buffer.from([0x10, 1, ...new Array(15).fill(0), 0x00]),
  ]);
  const sof = Buffer.concat([
    Buffer.from([8]),
    u16be(height),
    u16be(width),
    Buffer.from([3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]),
  ]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xdb, Buffer.from([0, ...new Array(64).fill(1)])),
    segment(0xc0, sof),
    segment(0xc4, dht),
    segment(0xda, Buffer.from([3, 1, 0, 2, 0, 3, 0, 0, 63, 0])),
    Buffer.alloc(16),
    Buffer.from([0xff, 0xd9]),
  ]);
}

// ---------------------------------------------------------------- BMP and WebP

/** A BMP header claiming 7000×7000 at 32 bits with no pixels behind it. */
export function bmpBigClaim(width = 7000, height = 7000): Buffer {
  const b = Buffer.alloc(54);
  b.write("BM", 0, "latin1");
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(32, 28);
  return b;
}

/** A lossless WebP header claiming 7000×7000 with a handful of data bytes. */
export function webpBigClaim(width = 7000, height = 7000): Buffer {
  const bits = (width - 1) | ((height - 1) << 14);
  const vp8l = Buffer.concat([
    Buffer.from([0x2f]),
    Buffer.from([bits & 255, (bits >>> 8) & 255, (bits >>> 16) & 255, (bits >>> 24) & 255]),
    Buffer.alloc(16, 0xff),
  ]);
  const chunk = Buffer.concat([Buffer.from("VP8L", "latin1"), Buffer.alloc(4), vp8l]);
  chunk.writeUInt32LE(vp8l.length, 4);
  const riff = Buffer.concat([
    Buffer.from("RIFF", "latin1"),
    Buffer.alloc(4),
    Buffer.from("WEBP", "latin1"),
    chunk,
  ]);
  riff.writeUInt32LE(riff.length - 8, 4);
  return riff;
}

// ---------------------------------------------------------------- IDX

export function idxHeader(dims: number[]): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 8, dims.length]), ...dims.map(u32be)]);
}

/** A gzip IDX file whose header says `dims` and whose data inflates to `zeros` bytes. */
export const idxGzip = (dims: number[], zeros: number) =>
  gzipWrap(deflateZeros(zeros, idxHeader(dims)));

/** 3.5 MB: MNIST's training header, then 3.5 GB of zeros. */
export const idxGzipBomb = () => idxGzip([60000, 28, 28], 3.5 * 2 ** 30);

/** 5 GB of honest images (6.4 million 28×28), about 5 MB compressed: too big, not corrupt. */
export const idxGzipTooBig = () => idxGzip([6_400_000, 28, 28], 6_400_000 * 784);
