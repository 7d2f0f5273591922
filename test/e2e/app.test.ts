// The app in real Chromium, driven as a person would: pointer and touch input on the pad, clicks,
// uploads, the model picker, and a reload with the network gone.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, BrowserContextOptions } from "playwright-core";
import { PNG } from "pngjs";
import { createRng } from "../../src/util/rng.ts";
import { shadowedSheet } from "../recognize/photo-set.ts";
import {
  detect,
  drawWithMouse,
  drawWithTouch,
  ensureBuilt,
  foreignRequests,
  inkOnPad,
  launch,
  loadStrokeDigits,
  MODELS_DIR,
  openApp,
  padBox,
  prepareContext,
  readResult,
  type Served,
  type StrokeDigit,
  sampleDigits,
  screenshot,
  serve,
  strokesOnPad,
} from "./harness.ts";

const THREE_BMP = "test/fixtures/three.bmp";

describe("web app in Chromium", () => {
  let server: Served;
  let browser: Browser;
  let digits: StrokeDigit[];
  const requests: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const contexts: BrowserContext[] = [];

  async function newPage(options: BrowserContextOptions = {}) {
    const context = await browser.newContext({ acceptDownloads: true, ...options });
    contexts.push(context);
    await prepareContext(context, requests);
    const page = await context.newPage();
    page.on("console", (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text()))
        cspViolations.push(message.text());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    return { context, page };
  }

  /** A clearly written sample of a digit from the real strokes. */
  function sample(label: number): StrokeDigit {
    return digits.find((d) => d.label === label && d.strokes.length === 1)!;
  }

  before(async () => {
    ensureBuilt();
    server = await serve();
    browser = await launch();
    digits = sampleDigits(loadStrokeDigits(), 4);
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  test("Detect on an empty pad asks for a digit and classifies nothing", async () => {
    const { page } = await newPage();
    await openApp(page, server.url);
    const result = await detect(page);
    assert.match(result.message, /draw a digit first/i);
    assert.doesNotMatch(result.message, /\d/);
    assert.equal(result.prediction, "");
    assert.equal(result.detections, 0);
    assert.ok(result.bars.every((bar) => bar.value === 0));
  });

  test("a drawn digit is classified, shown with its bars and input, then Clear empties it all", async () => {
    const { page } = await newPage({ viewport: { width: 1280, height: 900 } });
    await openApp(page, server.url);
    await drawWithMouse(page, strokesOnPad(sample(7).strokes, await padBox(page)));
    const result = await detect(page);
    assert.equal(result.prediction, "7");
    assert.match(result.probability, /^\d{1,3}\.\d%$/);
    assert.match(result.timeCost, /^\d+(\.\d+)? ms$/);
    assert.equal(result.bars.length, 10);
    assert.deepEqual(
      result.bars.map((b) => b.digit),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const top = result.bars.reduce((a, b) => (b.value > a.value ? b : a));
    assert.equal(top.digit, 7);
    assert.ok(Math.abs(result.bars.reduce((s, b) => s + b.value, 0) - 1) < 0.01);
    assert.equal(`${(top.value * 100).toFixed(1)}%`, result.probability);
    const seen = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="model-input"]')!;
      return [...c.getContext("2d")!.getImageData(0, 0, 28, 28).data].filter(
        (v, i) => i % 4 === 0 && v > 0,
      ).length;
    });
    assert.ok(seen > 30, `the model input shows the digit (${seen} lit pixels)`);
    assert.match((await page.getByTestId("announce").textContent()) ?? "", /Digit 7/);
    await screenshot(page, "desktop-seven");

    await page.getByTestId("clear").click();
    const cleared = await readResult(page);
    assert.equal(cleared.prediction, "");
    assert.equal(cleared.probability, "");
    assert.equal(cleared.timeCost, "");
    assert.equal(cleared.runnerUp, "");
    assert.ok(cleared.bars.every((bar) => bar.value === 0));
    await page.waitForTimeout(50); // the pad redraws on the next frame
    assert.equal(await inkOnPad(page), 0);
  });

  test("live mode classifies after each stroke without pressing Detect", async () => {
    const { page } = await newPage();
    await openApp(page, server.url);
    assert.equal(await page.getByTestId("live").isChecked(), true);
    await drawWithMouse(page, strokesOnPad(sample(0).strokes, await padBox(page)));
    await page.waitForFunction(
      () => document.querySelector('[data-testid="prediction"]')?.textContent !== "",
    );
    assert.equal((await readResult(page)).prediction, "0");
  });

  test("a finger draws on a phone: touch events, no scrolling, crisp high-DPI pad", async () => {
    const { page } = await newPage({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
    });
    await openApp(page, server.url);
    const backing = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="pad"]')!;
      return { width: c.width, css: c.getBoundingClientRect().width };
    });
    assert.equal(backing.width, Math.round(backing.css * 3));
    assert.ok(backing.css <= 390, "the pad fits the phone's width");
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(pageWidth <= 390, `no sideways scrolling (page is ${pageWidth} px wide)`);

    const before = await page.evaluate(() => window.scrollY);
    const sample3 = digits.find((d) => d.label === 3)!;
    await drawWithTouch(page, strokesOnPad(sample3.strokes, await padBox(page)));
    assert.equal(await page.evaluate(() => window.scrollY), before, "drawing did not scroll");
    assert.ok((await inkOnPad(page)) > 1000, "the finger's stroke is on the pad");
    const result = await detect(page);
    assert.equal(result.prediction, "3");
    await screenshot(page, "phone-touch-three");
  });

  test("the drawing survives a window resize", async () => {
    const { page } = await newPage({ viewport: { width: 1280, height: 900 } });
    await openApp(page, server.url);
    await drawWithMouse(page, strokesOnPad(sample(2).strokes, await padBox(page)));
    const first = await detect(page);
    await page.setViewportSize({ width: 500, height: 700 });
    await page.waitForTimeout(200);
    assert.ok((await inkOnPad(page)) > 500, "the strokes were redrawn at the new size");
    const again = await detect(page);
    assert.equal(again.prediction, first.prediction);
  });

  test("an uploaded scan of a three reads as 3; drop and paste take the same path", async () => {
    const { page } = await newPage();
    await openApp(page, server.url);
    await page.getByTestId("upload").setInputFiles(THREE_BMP);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="prediction"]')?.textContent !== "",
    );
    assert.equal((await readResult(page)).prediction, "3");
    assert.equal(await page.getByTestId("upload-preview").isVisible(), true);
    await screenshot(page, "upload-three");

    const bytes = [...readFileSync(THREE_BMP)];
    for (const how of ["drop", "paste"] as const) {
      await page.getByTestId("clear").click();
      await page.evaluate(
        ({ bytes, how }) => {
          const data = new DataTransfer();
          data.items.add(new File([new Uint8Array(bytes)], "three.bmp", { type: "image/bmp" }));
          const event =
            how === "drop"
              ? new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true })
              : new ClipboardEvent("paste", {
                  clipboardData: data,
                  bubbles: true,
                  cancelable: true,
                });
          document.body.dispatchEvent(event);
        },
        { bytes, how },
      );
      await page.waitForFunction(
        () => document.querySelector('[data-testid="prediction"]')?.textContent !== "",
      );
      assert.equal((await readResult(page)).prediction, "3", how);
    }
  });

  test("the app and `digitkit predict` give the same answer for the same image", async () => {
    const { page } = await newPage();
    await openApp(page, server.url);
    for (const [file, tolerance] of [
      [THREE_BMP, 1e-4], // lossless: the very same pixels
      ["test/fixtures/paper-2.jpg", 5e-3], // the browser and jpeg-js may round the IDCT differently
    ] as const) {
      const cli = spawnSync(
        process.execPath,
        [
          "bin/digitkit.js",
          "predict",
          file,
          "--model",
          join(MODELS_DIR, "mnist_mlp.tflite"),
          "--json",
        ],
        { encoding: "utf8" },
      );
      assert.equal(cli.status, 0, cli.stderr);
      const expected = JSON.parse(cli.stdout) as { digit: number; probabilities: number[] };
      await page.getByTestId("clear").click();
      await page.getByTestId("upload").setInputFiles(file);
      await page.waitForFunction(
        () => document.querySelector('[data-testid="prediction"]')?.textContent !== "",
      );
      const shown = await readResult(page);
      assert.equal(shown.prediction, String(expected.digit), file);
      const diff = Math.max(
        ...shown.bars.map((bar) => Math.abs(bar.value - expected.probabilities[bar.digit])),
      );
      console.log(`${file}: app and CLI differ by at most ${diff.toExponential(2)}`);
      assert.ok(diff <= tolerance, `${file}: probabilities differ by ${diff}`);
    }
  });

  test("a file that is not an image gets an inline message and no result", async () => {
    const { page } = await newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await openApp(page, server.url);
    await page.getByTestId("upload").setInputFiles({
      name: "broken.png",
      mimeType: "image/png",
      buffer: Buffer.from("this is not a PNG at all"),
    });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="message"]')?.textContent !== "",
    );
    const result = await readResult(page);
    assert.match(result.message, /could not read/i);
    assert.equal(result.prediction, "");
    assert.deepEqual(errors, []);
    // The app still works afterwards.
    await drawWithMouse(page, strokesOnPad(sample(1).strokes, await padBox(page)));
    assert.notEqual((await detect(page)).prediction, "");
  });

  test("a photo of blank paper under a corner shadow: no digit found, and no answer", async () => {
    const { page } = await newPage();
    await openApp(page, server.url);
    const sheet = shadowedSheet(640, 480, 2, 0.3, createRng(9));
    const png = new PNG({ width: sheet.width, height: sheet.height });
    png.data = Buffer.from(sheet.rgba);
    await page.getByTestId("upload").setInputFiles({
      name: "blank-shadow.png",
      mimeType: "image/png",
      buffer: PNG.sync.write(png),
    });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="message"]')?.textContent !== "",
    );
    const result = await readResult(page);
    assert.match(result.message, /no digit found/i);
    assert.equal(result.prediction, "");
  });

  test("models: picked by URL, a bad .tflite is refused inline, a good one is used, download", async () => {
    const { page } = await newPage();
    await openApp(page, `${server.url}?model=mnist_mlp.tflite`);
    assert.equal(await page.getByTestId("model").inputValue(), "mnist_mlp.tflite");
    const shipped = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLOptionElement>('[data-testid="model"] option')].map(
        (o) => o.value,
      ),
    );
    assert.ok(shipped.includes("mnist_mlp.tflite"));

    await page.getByTestId("model-file").setInputFiles({
      name: "junk.tflite",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("definitely not a flatbuffer, just some bytes".repeat(10)),
    });
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="model-status"]')
        ?.textContent?.startsWith("junk.tflite"),
    );
    assert.match((await page.getByTestId("model-status").textContent()) ?? "", /not a usable/);
    assert.equal(await page.getByTestId("model").inputValue(), "mnist_mlp.tflite");
    // Past the quick check (it has the TFL3 identifier), the runtime itself must refuse it.
    const fake = Buffer.alloc(400, 7);
    fake.write("TFL3", 4, "latin1");
    await page.getByTestId("model-file").setInputFiles({
      name: "fake.tflite",
      mimeType: "application/octet-stream",
      buffer: fake,
    });
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="model-status"]')
        ?.textContent?.startsWith("fake.tflite:"),
    );
    assert.match((await page.getByTestId("model-status").textContent()) ?? "", /not a usable/);
    // The previous model still answers.
    await drawWithMouse(page, strokesOnPad(sample(4).strokes, await padBox(page)));
    assert.notEqual((await detect(page)).prediction, "");

    const model = await (await page.request.get(`${server.url}models/mnist_mlp.tflite`)).body();
    await page.getByTestId("model-file").setInputFiles({
      name: "mine.tflite",
      mimeType: "application/octet-stream",
      buffer: model,
    });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="model-status"]')?.textContent ===
        "Using mine.tflite.",
    );
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("download-model").click(),
    ]);
    assert.equal(download.suggestedFilename(), "mine.tflite");
    const saved = readFileSync((await download.path())!);
    assert.equal(Buffer.compare(saved, model), 0);
  });

  test("every shipped model loads from the picker and reads a drawn digit", async () => {
    const { page } = await newPage();
    await openApp(page, server.url);
    await page.getByTestId("live").uncheck();
    await drawWithMouse(page, strokesOnPad(sample(3).strokes, await padBox(page)));
    const files = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLOptionElement>('[data-testid="model"] option')].map(
        (o) => o.value,
      ),
    );
    for (const file of files) {
      await page.getByTestId("model").selectOption(file);
      await page.waitForFunction(
        (name) =>
          document.querySelector('[data-testid="model-status"]')?.textContent === `Using ${name}.`,
        file,
      );
      assert.equal((await detect(page)).prediction, "3", file);
    }
  });

  test("after one visit the app works offline, from the service worker's cache", async () => {
    const { context, page } = await newPage();
    await openApp(page, server.url);
    // The page says so once the shell, the models and the runtime it loaded are cached.
    await page.waitForSelector("body[data-offline=ready]", { timeout: 30_000 });
    assert.equal(await page.getByTestId("offline-status").textContent(), "Ready to work offline.");
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    assert.match((await page.getByTestId("model-status").textContent()) ?? "", /^Using /);
    // The network really is gone: what the cache lacks cannot be fetched.
    const uncached = await page.evaluate(() =>
      fetch(`not-cached-${Date.now()}.txt`).then(
        (r) => `answered ${r.status}`,
        () => "failed",
      ),
    );
    assert.equal(uncached, "failed");
    await drawWithMouse(page, strokesOnPad(sample(5).strokes, await padBox(page)));
    assert.equal((await detect(page)).prediction, "5");
    await screenshot(page, "offline-five");
    await context.setOffline(false);
  });

  test("no request left the app's origin; the CSP blocked nothing; no page errors", () => {
    assert.ok(requests.length > 10, `requests were recorded (${requests.length})`);
    assert.deepEqual(foreignRequests(requests, server.origin), []);
    assert.deepEqual(cspViolations, []);
    assert.deepEqual(pageErrors, []);
  });
});
