// Precompression at build time: every text-like or compressible file of the build gets a .br
// (brotli) and a .gz (gzip) sibling, so `digitkit serve` sends the smaller one the browser
// accepts without compressing on each request. node:zlib has both; no dependency needed.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Kinds of file worth compressing (images and already-compressed formats are not). */
export const COMPRESSIBLE = new Set([
  ".html",
  ".js",
  ".mjs",
  ".css",
  ".json",
  ".webmanifest",
  ".wasm",
  ".tflite",
  ".svg",
  ".txt",
  ".map",
]);

/** Brotli's best setting is slow on megabytes; large files get a quicker one (a few % larger). */
const LARGE = 1 << 20;

export function compressBoth(data: Uint8Array): { br: Uint8Array; gz: Uint8Array } {
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: data.length > LARGE ? 9 : 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  return { br, gz: gzipSync(data, { level: 9 }) };
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Writes path.br and path.gz beside each compressible file under dir, when they are smaller. */
export function precompress(dir: string): { files: number; bytes: number; compressed: number } {
  let count = 0;
  let bytes = 0;
  let compressed = 0;
  for (const path of files(dir)) {
    if (!COMPRESSIBLE.has(extname(path).toLowerCase())) continue;
    const data = readFileSync(path);
    const { br, gz } = compressBoth(data);
    count++;
    bytes += data.length;
    compressed += Math.min(br.length, data.length);
    if (br.length < data.length) writeFileSync(`${path}.br`, br);
    if (gz.length < data.length) writeFileSync(`${path}.gz`, gz);
  }
  return { files: count, bytes, compressed };
}
