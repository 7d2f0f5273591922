import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { exportModel } from "../../src/export/export.ts";
import { loadCheckpoint } from "../../src/model/checkpoint.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import { launch } from "../e2e/harness.ts";
import { argmax, runtimeOutputs, testDigits } from "../tflite/helpers.ts";

// `digitkit export --target image-classifier` makes a file Google's ImageClassifier takes as it
// is: MediaPipe Tasks (npm @mediapipe/tasks-vision, its wasm served from here, CPU delegate) in
// Debian's Chromium loads it, reads its metadata (RGB image, normalization, labels.txt) and
// classifies MNIST digits given as RGB images; its top category and scores must be what
// DigitKit's own model gives for the same pixels.

const require = createRequire(import.meta.url);
// The package exports no package.json; its bundle lies at the package root.
const MEDIAPIPE = dirname(require.resolve("@mediapipe/tasks-vision"));
const DIGITS = 30;

interface Category {
  index: number;
  score: number;
  categoryName: string;
}

async function classifyInChromium(model: Uint8Array, images: number[][]): Promise<Category[][]> {
  const files: Record<string, [string, Uint8Array | string]> = {
    "/": ["text/html", "<!doctype html><title>mediapipe</title>"],
    "/vision_bundle.mjs": ["text/javascript", readFileSync(join(MEDIAPIPE, "vision_bundle.mjs"))],
    "/model.tflite": ["application/octet-stream", model],
  };
  for (const name of ["vision_wasm_internal.js", "vision_wasm_internal.wasm"]) {
    const type = name.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    files[`/wasm/${name}`] = [type, readFileSync(join(MEDIAPIPE, "wasm", name))];
  }
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://x").pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    return await page.evaluate(async (pixels) => {
      // biome-ignore lint/suspicious/noExplicitAny: the bundle is loaded from the page's server
      const vision: any = await import("/vision_bundle.mjs" as string);
      const fileset = await vision.FilesetResolver.forVisionTasks("/wasm");
      const classifier = await vision.ImageClassifier.createFromOptions(fileset, {
        baseOptions: { modelAssetPath: "/model.tflite", delegate: "CPU" },
        maxResults: 10,
        runningMode: "IMAGE",
      });
      return pixels.map((grey) => {
        const rgba = new Uint8ClampedArray(28 * 28 * 4);
        grey.forEach((v, i) => {
          rgba.set([v, v, v, 255], 4 * i);
        });
        const result = classifier.classify(new ImageData(rgba, 28, 28));
        return result.classifications[0].categories.map((c: Category) => ({
          index: c.index,
          score: c.score,
          categoryName: c.categoryName,
        }));
      });
    }, images);
  } finally {
    await browser.close();
    server.close();
  }
}

for (const name of ["mnist_cnn", "mnist_mlp"]) {
  test(`${name} as an image classifier: MediaPipe's ImageClassifier gives DigitKit's scores`, async (t) => {
    await useWasmBackend();
    const checkpoint = await loadCheckpoint(`models/checkpoints/${name}`);
    const { bytes } = await exportModel(checkpoint, "none", {
      wasmRoot: nodeWasmRoot(),
      target: "image-classifier",
    });
    const digits = await testDigits(DIGITS);
    const images = Array.from({ length: DIGITS }, (_, i) =>
      Array.from(digits.inputs.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)),
    );
    const results = await classifyInChromium(bytes, images);
    // DigitKit's answer for the same pixels: the shipped grey model in LiteRT.js.
    const shipped = new Uint8Array(readFileSync(`models/${name}.tflite`));
    const ours = await runtimeOutputs(shipped, digits.inputs, DIGITS);
    let worst = 0;
    for (let i = 0; i < DIGITS; i++) {
      const categories = results[i];
      assert.equal(categories.length, 10);
      const top = categories.reduce((a, b) => (b.score > a.score ? b : a));
      assert.equal(top.index, argmax(ours, i * 10), `digit ${i}`);
      assert.equal(top.categoryName, String(argmax(ours, i * 10)), "labels come from labels.txt");
      for (const c of categories) {
        assert.equal(c.categoryName, String(c.index));
        worst = Math.max(worst, Math.abs(c.score - ours[i * 10 + c.index]));
      }
    }
    t.diagnostic(`${name}: largest score difference ${worst} over ${DIGITS} digits`);
    assert.ok(worst <= 1e-4, `scores differ by up to ${worst}`);
  });
}
