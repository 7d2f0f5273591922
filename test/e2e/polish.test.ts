// What a first-time user meets, on a desktop and on a 390×844 phone: progress on the pad until
// the app can answer (and a Detect pressed early answered then), the prompt on the empty pad, real
// buttons for the file pickers, a labelled drop overlay, readable model labels, long names
// wrapped, errors in one style, an upload shown in the pad's place with the answer in view, the
// light colour scheme, and an install button only when the browser offers one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { BrowserContextOptions, Page } from "playwright-core";
import {
  detect,
  drawWithMouse,
  loadStrokeDigits,
  padBox,
  prepareContext,
  readResult,
  SCREENS,
  type Screen,
  screenshot,
  strokesOnPad,
  useApp,
} from "./harness.ts";

const THREE_BMP = "test/fixtures/three.bmp";

const app = useApp();

async function open(screen: Screen, extra: BrowserContextOptions = {}): Promise<Page> {
  return (await app.openPage({ ...SCREENS[screen], ...extra })).page;
}

const visible = (page: Page, id: string) => page.getByTestId(id).isVisible();

test("a slow first visit: progress on the pad, and a Detect pressed early is answered once it can", async () => {
  const context = await app.browser.newContext(SCREENS.desktop);
  await prepareContext(context, []);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  // Slow enough that the model (~0.8 MB compressed) takes seconds.
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6e6 / 8) * 0.5,
    uploadThroughput: 1e5,
  });
  await page.goto(app.server.url, { waitUntil: "commit" });
  await page.waitForSelector("body[data-ready=false]");
  assert.equal(await visible(page, "pad-status"), true);
  assert.match((await page.getByTestId("pad-status").textContent()) ?? "", /^Loading the model/);
  const digit = loadStrokeDigits().find((d) => d.label === 3 && d.strokes.length === 1)!;
  await drawWithMouse(page, strokesOnPad(digit.strokes, await padBox(page)));
  await page.getByTestId("live").uncheck();
  await page.getByTestId("detect").click();
  assert.match((await readResult(page)).message, /still loading/);
  await page.waitForFunction(
    () => /%/.test(document.querySelector('[data-testid="pad-status"]')?.textContent ?? ""),
    undefined,
    { timeout: 30_000 },
  );
  await screenshot(page, "desktop-loading");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="prediction"]')?.textContent === "3",
    undefined,
    { timeout: 60_000 },
  );
  assert.equal(await visible(page, "pad-status"), false, "the progress goes once it can answer");
  assert.equal((await readResult(page)).message, "");
  // The first visit never touched the big runtime: the default model runs on the TypeScript path.
  const runtime = await page.evaluate(
    () =>
      performance.getEntriesByType("resource").filter((e) => e.name.includes("/litert/")).length,
  );
  assert.equal(runtime, 0);
  await context.close();
});

for (const screen of Object.keys(SCREENS) as Screen[]) {
  describe(`first-time user on the ${screen}`, () => {
    test("prompt, real buttons, labelled drop overlay, readable model labels", async () => {
      const page = await open(screen);
      assert.equal(await visible(page, "pad-prompt"), true, "the empty pad says what to do");
      assert.match((await page.getByTestId("pad-prompt").textContent()) ?? "", /draw a digit/i);
      assert.equal(await visible(page, "pad-status"), false);
      for (const [id, label] of [
        ["upload-button", "Upload image…"],
        ["open-model", "Open model…"],
      ]) {
        const button = page.getByTestId(id);
        assert.equal(await button.evaluate((b) => b.tagName), "BUTTON");
        assert.equal(((await button.textContent()) ?? "").trim(), label);
        const [chooser] = await Promise.all([page.waitForEvent("filechooser"), button.click()]);
        assert.ok(chooser, `${label} opens a file chooser`);
      }
      const labels = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLOptionElement>('[data-testid="model"] option')].map(
          (o) => o.textContent,
        ),
      );
      assert.match(labels[0] ?? "", /^[A-Z]+( \w+)? · \d+\.\d% · \d+ KB/);
      const chosen = await page.evaluate(
        () =>
          document.querySelector<HTMLSelectElement>('[data-testid="model"]')!.selectedOptions[0]
            .textContent,
      );
      assert.match(chosen ?? "", /^CNN · \d+\.\d% · \d+ KB · default$/);
      assert.doesNotMatch(labels.join(" "), /\bnone\b/);

      await page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(["x"], "a.png", { type: "image/png" }));
        document.body.dispatchEvent(
          new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }),
        );
      });
      assert.equal(await visible(page, "drop-overlay"), true);
      assert.match((await page.getByTestId("drop-overlay").textContent()) ?? "", /drop the image/i);
      await screenshot(page, `${screen}-drop-overlay`);
      await page.evaluate(() =>
        document.body.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true })),
      );
      assert.equal(await visible(page, "drop-overlay"), false);

      const digit = loadStrokeDigits().find((d) => d.label === 2 && d.strokes.length === 1)!;
      await page.getByTestId("live").uncheck();
      await drawWithMouse(page, strokesOnPad(digit.strokes, await padBox(page)));
      assert.equal(
        await visible(page, "pad-prompt"),
        false,
        "the prompt goes with the first stroke",
      );
      await page.context().close();
    });

    test("an upload shows in the pad's place, the answer in view; Clear returns to drawing", async () => {
      const page = await open(screen);
      await page.getByTestId("upload").setInputFiles(THREE_BMP);
      await page.waitForFunction(
        () => document.querySelector('[data-testid="prediction"]')?.textContent !== "",
      );
      assert.equal((await readResult(page)).prediction, "3");
      const [pad, preview, answer] = await Promise.all(
        ["pad", "upload-preview", "prediction"].map((id) => page.getByTestId(id).boundingBox()),
      );
      assert.ok(preview && pad && answer);
      assert.deepEqual(
        [preview.x, preview.y, preview.width].map(Math.round),
        [pad.x, pad.y, pad.width].map(Math.round),
        "the image sits where the pad is",
      );
      const height = SCREENS[screen].viewport!.height;
      assert.ok(
        answer.y >= 0 && answer.y + answer.height <= height,
        `the answer is in view (${answer.y})`,
      );
      await screenshot(page, `${screen}-upload-in-pad`);
      await page.getByTestId("clear").click();
      assert.equal(await visible(page, "upload-preview"), false);
      assert.equal(await visible(page, "pad-prompt"), true);
      await page.context().close();
    });

    test("errors in one style and plain words; long model names wrap", async () => {
      const page = await open(screen);
      await page.getByTestId("upload").setInputFiles({
        name: "broken.png",
        mimeType: "image/png",
        buffer: Buffer.from("not a png"),
      });
      await page.waitForFunction(
        () => document.querySelector('[data-testid="message"]')?.textContent !== "",
      );
      assert.match(
        (await readResult(page)).message,
        /^Could not read .*: try a PNG or JPEG photo\.$/,
      );
      const colour = (id: string) =>
        page.getByTestId(id).evaluate((e) => getComputedStyle(e).color);
      const long = `${"a-very-long-model-name-".repeat(6)}.tflite`;
      const fake = Buffer.alloc(400, 7);
      fake.write("TFL3", 4, "latin1");
      await page.getByTestId("model-file").setInputFiles({
        name: long,
        mimeType: "application/octet-stream",
        buffer: fake,
      });
      await page.waitForFunction(() =>
        /not a usable/.test(
          document.querySelector('[data-testid="model-status"]')?.textContent ?? "",
        ),
      );
      const status = (await page.getByTestId("model-status").textContent()) ?? "";
      assert.doesNotMatch(status, /byte|buffer|offset|flatbuffer/i, `plain words: ${status}`);
      assert.equal(await colour("message"), await colour("model-status"), "one error style");
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= SCREENS[screen].viewport!.width, `no sideways scrolling (${width} px)`);
      await screenshot(page, `${screen}-errors`);
      await page.context().close();
    });

    test("the light colour scheme is followed", async () => {
      const page = await open(screen, { colorScheme: "light" });
      const background = await page.evaluate(
        () => getComputedStyle(document.documentElement).backgroundColor,
      );
      const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
      assert.ok(r > 200 && g > 200 && b > 200, `a light background (${background})`);
      const digit = loadStrokeDigits().find((d) => d.label === 5 && d.strokes.length === 1)!;
      await drawWithMouse(page, strokesOnPad(digit.strokes, await padBox(page)));
      assert.equal((await detect(page)).prediction, "5");
      await screenshot(page, `${screen}-light`);
      await page.context().close();
    });
  });
}

test("the install button appears only when the browser offers to install, and asks it", async () => {
  const page = await open("desktop");
  assert.equal(await page.getByTestId("install").isVisible(), false);
  await page.evaluate(() => {
    const offer = new Event("beforeinstallprompt", { cancelable: true }) as Event & {
      prompt(): Promise<void>;
    };
    offer.prompt = async () => {
      document.body.dataset.prompted = "yes";
    };
    window.dispatchEvent(offer);
  });
  assert.equal(await page.getByTestId("install").isVisible(), true);
  await page.getByTestId("install").click();
  await page.waitForSelector("body[data-prompted=yes]");
  assert.equal(await page.getByTestId("install").isVisible(), false);
  await page.context().close();
});
