import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import jpeg from "jpeg-js";
import { GifWriter } from "omggif";
import pngjs from "pngjs";
import { encodeBmp, greyPalette } from "../../scripts/lib/bmp-encoder.ts";
import { decodeImage, MAX_PIXELS } from "../../src/images/decode.ts";
import { detectFormat, readImageSize } from "../../src/images/format.ts";
import { ImageError } from "../../src/images/image-error.ts";
import { provideImageData } from "../../src/images/webp.ts";

// A small test picture: every pixel different, so a row or channel mix-up shows.
const W = 13;
const H = 7;
const rgba = new Uint8Array(W * H * 4);
for (let i = 0; i < W * H; i++)
  rgba.set([(i * 37) % 256, (i * 91) % 256, (i * 13) % 256, 255], i * 4);

function assertPixels(
  decoded: { width: number; height: number; data: Uint8Array },
  expected = rgba,
) {
  assert.equal(decoded.width, W);
  assert.equal(decoded.height, H);
  assert.deepEqual(Array.from(decoded.data), Array.from(expected));
}

test("BMP: 24-bit and 32-bit with alpha, bottom-up and top-down", async () => {
  for (const topDown of [false, true]) {
    assertPixels(
      await decodeImage(
        encodeBmp({ width: W, height: H, bitsPerPixel: 24, pixels: rgba, topDown }),
      ),
    );
    const translucent = rgba.map((v, i) => (i % 4 === 3 ? (i * 5) % 256 : v));
    const bmp = encodeBmp({ width: W, height: H, bitsPerPixel: 32, pixels: translucent, topDown });
    assertPixels(await decodeImage(bmp), translucent);
  }
});

test("BMP: 1-, 4- and 8-bit palette images", async () => {
  for (const bitsPerPixel of [1, 4, 8] as const) {
    const colors = 1 << bitsPerPixel;
    const palette = Array.from(
      { length: colors },
      (_, i) => [(i * 71) % 256, (i * 29) % 256, 255 - i] as [number, number, number],
    );
    const indices = Uint8Array.from({ length: W * H }, (_, i) => (i * 7) % colors);
    const expected = new Uint8Array(W * H * 4);
    indices.forEach((index, i) => {
      expected.set([...palette[index], 255], i * 4);
    });
    for (const topDown of [false, true]) {
      const bmp = encodeBmp({
        width: W,
        height: H,
        bitsPerPixel,
        pixels: indices,
        palette,
        topDown,
      });
      assertPixels(await decodeImage(bmp), expected);
    }
  }
});

test("the three.bmp fixture is the tutorial's format: 8-bit palette, bottom-up, 28×28", async () => {
  const bytes = readFileSync("test/fixtures/three.bmp");
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(view.getUint16(28, true), 8, "8 bits a pixel");
  assert.ok(view.getInt32(22, true) > 0, "positive height: rows bottom-up");
  const image = await decodeImage(bytes);
  assert.equal(image.width, 28);
  assert.equal(image.height, 28);
  const grey = encodeBmp({
    width: 28,
    height: 28,
    bitsPerPixel: 8,
    pixels: image.data.filter((_, i) => i % 4 === 0),
    palette: greyPalette(),
  });
  assert.deepEqual(Buffer.from(grey), bytes, "re-encoding the decoded pixels gives the same file");
});

test("PNG, JPEG and GIF decode to RGBA", async () => {
  const png = new pngjs.PNG({ width: W, height: H });
  png.data.set(rgba);
  assertPixels(await decodeImage(pngjs.PNG.sync.write(png)));

  const flat = rgba.map((_, i) => (i % 4 === 3 ? 255 : 100)); // JPEG is lossy: use one colour
  const jpg = jpeg.encode({ width: W, height: H, data: flat }, 95).data;
  const decoded = await decodeImage(jpg);
  assert.equal(decoded.width, W);
  assert.ok(decoded.data.every((v, i) => Math.abs(v - flat[i]) <= 3));

  const palette = [0x000000, 0xff0000, 0x00ff00, 0xffffff];
  const indices = Array.from({ length: W * H }, (_, i) => i % 4);
  const buffer = new Uint8Array(1024);
  const writer = new GifWriter(buffer, W, H, { palette });
  writer.addFrame(0, 0, W, H, indices);
  const gif = await decodeImage(buffer.subarray(0, writer.end()));
  const expected = new Uint8Array(W * H * 4);
  indices.forEach((c, i) => {
    expected.set([palette[c] >> 16, (palette[c] >> 8) & 255, palette[c] & 255, 255], i * 4);
  });
  assertPixels(gif, expected);
});

test("WebP decodes through libwebp (wasm), with no network", async () => {
  const require = createRequire(import.meta.url);
  // The encoder builds an ImageData, which Node lacks: the same stand-in the decoder uses.
  provideImageData();
  const encoder = await import("@jsquash/webp/encode.js");
  await (encoder.init as unknown as (m: WebAssembly.Module) => Promise<void>)(
    await WebAssembly.compile(
      readFileSync(require.resolve("@jsquash/webp/codec/enc/webp_enc.wasm")),
    ),
  );
  const image = new ImageData(new Uint8ClampedArray(rgba), W, H);
  const webp = new Uint8Array(await encoder.default(image, { lossless: 1 }));
  assert.equal(detectFormat(webp), "webp");
  assert.deepEqual(readImageSize(webp, "webp"), { width: W, height: H });
  assertPixels(await decodeImage(webp));
  const lossy = new Uint8Array(await encoder.default(image, { quality: 90 }));
  assert.deepEqual(readImageSize(lossy, "webp"), { width: W, height: H }, "lossy (VP8) header");
  assert.equal((await decodeImage(lossy)).width, W);
  await assert.rejects(
    decodeImage(webp.subarray(0, webp.length - 20)),
    /truncated or corrupt WebP/,
  );
});

test("the format comes from the bytes, not the name", () => {
  assert.equal(detectFormat(readFileSync("test/fixtures/three.bmp")), "bmp");
  assert.equal(detectFormat(readFileSync("test/fixtures/paper-2.jpg")), "jpeg");
  assert.equal(detectFormat(readFileSync("test/fixtures/errors/not-an-image.png")), null);
});

test("bad files are ImageErrors with a one-line reason", async () => {
  const cases: [string, RegExp][] = [
    ["empty.png", /empty file \(0 bytes\)/],
    ["not-an-image.png", /not an image/],
    ["truncated.png", /truncated or corrupt PNG/],
    ["truncated.jpg", /truncated or corrupt JPEG/],
    ["huge.bmp", /60\.0 megapixels, more than the 50 allowed/],
  ];
  for (const [name, message] of cases) {
    await assert.rejects(
      decodeImage(readFileSync(`test/fixtures/errors/${name}`)),
      (error: Error) => {
        assert.ok(error instanceof ImageError, name);
        assert.match(error.message, message);
        assert.ok(!error.message.includes("\n"));
        return true;
      },
    );
  }
  const bmp = encodeBmp({ width: W, height: H, bitsPerPixel: 24, pixels: rgba });
  await assert.rejects(decodeImage(bmp.subarray(0, bmp.length - 10)), /truncated BMP/);
  await assert.rejects(decodeImage(bmp.subarray(0, 20)), /truncated BMP/);
  await assert.rejects(decodeImage(bmp, W * H - 1), /more than/, "the limit is checked");
  assert.equal(MAX_PIXELS, 50_000_000);
});

test("sizes are read from every format's header, so oversized images are refused unread", async () => {
  const png = new pngjs.PNG({ width: W, height: H });
  png.data.set(rgba);
  const pngBytes = new Uint8Array(pngjs.PNG.sync.write(png));
  const jpg = jpeg.encode({ width: W, height: H, data: rgba }, 90).data;
  const gifBuffer = new Uint8Array(1024);
  const writer = new GifWriter(gifBuffer, W, H, { palette: [0, 0xffffff] });
  writer.addFrame(0, 0, W, H, new Array(W * H).fill(1));
  const bmp = encodeBmp({ width: W, height: H, bitsPerPixel: 24, pixels: rgba });
  for (const bytes of [pngBytes, jpg, gifBuffer.subarray(0, writer.end()), bmp]) {
    const format = detectFormat(bytes)!;
    assert.deepEqual(readImageSize(bytes, format), { width: W, height: H }, format);
  }
  // A PNG whose header says 8000×8000: refused before the (absent) pixels are looked at.
  const huge = pngBytes.slice(0, 33);
  new DataView(huge.buffer).setUint32(16, 8000);
  new DataView(huge.buffer).setUint32(20, 8000);
  await assert.rejects(decodeImage(huge), /64\.0 megapixels/);
});
