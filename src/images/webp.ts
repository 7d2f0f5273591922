import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type DecodedImage, ImageError } from "./image-error.ts";

type WebpDecode = (
  buffer: ArrayBuffer,
) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;

let decoder: Promise<WebpDecode> | undefined;

/** @jsquash/webp builds ImageData objects, which Node lacks: a plain stand-in with the same fields. */
export function provideImageData(): void {
  const global = globalThis as { ImageData?: unknown };
  global.ImageData ??= class {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number,
    ) {}
  };
}

/**
 * libwebp's decoder compiled to WebAssembly (@jsquash/webp), with its .wasm read from
 * node_modules rather than fetched. It returns an ImageData, so provideImageData runs first.
 */
function loadDecoder(): Promise<WebpDecode> {
  decoder ??= (async () => {
    provideImageData();
    const require = createRequire(import.meta.url);
    const wasm = await WebAssembly.compile(
      readFileSync(require.resolve("@jsquash/webp/codec/dec/webp_dec.wasm")),
    );
    const { default: decode, init } = await import("@jsquash/webp/decode.js");
    await (init as (module: WebAssembly.Module) => Promise<void>)(wasm);
    return decode as unknown as WebpDecode;
  })();
  return decoder;
}

export async function decodeWebp(bytes: Uint8Array): Promise<DecodedImage> {
  const decode = await loadDecoder();
  const copy = bytes.slice().buffer;
  try {
    const image = await decode(copy);
    return { width: image.width, height: image.height, data: new Uint8Array(image.data.buffer) };
  } catch {
    throw new ImageError("truncated or corrupt WebP (libwebp could not decode it)");
  }
}
