// The app's "Open model" with Keras and TF.js files, converted on the device by the same code as
// `digitkit convert` (loaded only then): other people's .h5 and .keras from
// ../shared/models-in-the-wild and a TF.js model.json picked with its weight shard go in through
// the real file input; the tutorial's three, uploaded, gets the digit and probabilities that
// `digitkit predict --model` gives for the same file. A weights-only .h5 and a damaged one are
// refused in one plain line, the model in use staying; nothing leaves the page's origin.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import {
  ensureBuilt,
  foreignRequests,
  launch,
  openApp,
  prepareContext,
  readResult,
  type Served,
  serve,
} from "./harness.ts";

const WILD = "../shared/models-in-the-wild";
const THREE = join(WILD, "tutorial-three.bmp");
const TFJS = "models/checkpoints/mnist_cnn";
const run = promisify(execFile);

interface Predicted {
  digit: number;
  probabilities: number[];
}

/** What the CLI answers for the tutorial's three with this model (converted in memory). */
async function cliPredict(model: string): Promise<Predicted> {
  const { stdout } = await run(
    process.execPath,
    ["bin/digitkit.js", "predict", THREE, "--model", model, "--json"],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split("\n")[0]);
}

describe("the app converts Keras and TF.js models on the device", () => {
  let server: Served;
  let browser: Browser;
  const expected = new Map<string, Predicted>();

  before(async () => {
    ensureBuilt();
    const models = [join(WILD, "keras2-cnn-dropout.h5"), join(WILD, "keras3-cnn-batchnorm.keras")];
    const [answers, served, launched] = await Promise.all([
      Promise.all([...models, TFJS].map(cliPredict)),
      serve(),
      launch(),
    ]);
    [...models, TFJS].forEach((m, i) => {
      expected.set(m, answers[i]);
    });
    server = served;
    browser = launched;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(page: Page, paths: string[]): Promise<string> {
    const name = paths[0].split("/").pop()!;
    await page.getByTestId("model-file").setInputFiles(
      paths.map((path) => ({
        name: path.split("/").pop()!,
        mimeType: "application/octet-stream",
        buffer: readFileSync(path),
      })),
    );
    await page.waitForFunction(
      (file) => {
        const status = document.querySelector('[data-testid="model-status"]')?.textContent ?? "";
        return status.startsWith(`${file}:`) || status === `Using ${file}.`;
      },
      name,
      { timeout: 120_000 },
    );
    return (await page.getByTestId("model-status").textContent()) ?? "";
  }

  async function readThree(page: Page) {
    await page.evaluate(() => performance.clearMeasures("detect"));
    await page.getByTestId("upload").setInputFiles(THREE);
    await page.waitForFunction(() => performance.getEntriesByName("detect").length > 0);
    return readResult(page);
  }

  function assertSameAnswer(
    seen: Awaited<ReturnType<typeof readThree>>,
    want: Predicted,
    what: string,
  ) {
    assert.equal(seen.prediction, String(want.digit), what);
    for (const bar of seen.bars) {
      // The bars carry six decimals.
      const diff = Math.abs(bar.value - want.probabilities[bar.digit]);
      assert.ok(
        diff <= 2e-6,
        `${what}: digit ${bar.digit} ${bar.value} vs the CLI's ${want.probabilities[bar.digit]}`,
      );
    }
  }

  test("Keras .h5 and .keras, and a TF.js model.json with its shard: converted, and read as the CLI reads them", async () => {
    const urls: string[] = [];
    const context = await browser.newContext();
    await prepareContext(context, urls);
    const page = await context.newPage();
    await openApp(page, server.url);
    // The first visit does not load the converter.
    assert.ok(
      !urls.some((u) => /convert-keras/.test(u)),
      "the converter loaded before it was needed",
    );

    for (const name of ["keras2-cnn-dropout.h5", "keras3-cnn-batchnorm.keras"]) {
      const path = join(WILD, name);
      assert.equal(await open(page, [path]), `Using ${name}.`);
      assert.match(
        (await page.getByTestId("model-feeding").textContent()) ?? "",
        /input \[1,28,28,1\] float32/,
      );
      assertSameAnswer(await readThree(page), expected.get(path)!, name);
    }
    assert.ok(
      urls.some((u) => /convert-keras/.test(u)),
      "the converter chunk was loaded",
    );
    // The converted model downloads as what it now is.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("download-model").click(),
    ]);
    assert.equal(download.suggestedFilename(), "keras3-cnn-batchnorm.tflite");
    const saved = readFileSync(await download.path());
    assert.equal(saved.subarray(4, 8).toString("latin1"), "TFL3");

    assert.equal(
      await open(page, [join(TFJS, "model.json"), join(TFJS, "weights.bin")]),
      "Using model.json.",
    );
    assertSameAnswer(await readThree(page), expected.get(TFJS)!, "model.json");

    assert.deepEqual(foreignRequests(urls, server.origin), []);
    await context.close();
  });

  test("a weights-only .h5, a damaged .h5 and a model.json without its shard: one plain line each, the model in use kept", async () => {
    const context = await browser.newContext();
    await prepareContext(context, []);
    const page = await context.newPage();
    await openApp(page, server.url);
    const before = (await readThree(page)).prediction;

    const weightsOnly = await open(page, [join(WILD, "keras2-mnist_mlp-weights-only.h5")]);
    assert.match(
      weightsOnly,
      /^keras2-mnist_mlp-weights-only\.h5: it holds weights only, no architecture: convert it with digitkit convert FILE --arch mlp\|cnn\.$/,
    );

    await page.getByTestId("model-file").setInputFiles({
      name: "cut.h5",
      mimeType: "application/octet-stream",
      buffer: readFileSync(join(WILD, "keras2-cnn-dropout.h5")).subarray(0, 40_000),
    });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="model-status"]')?.textContent?.startsWith("cut.h5:"),
      undefined,
      { timeout: 120_000 },
    );
    const cut = (await page.getByTestId("model-status").textContent()) ?? "";
    assert.match(cut, /^cut\.h5: [^\n]+\.$/);
    assert.doesNotMatch(cut, /\bat \S+:\d+|Error:|undefined/); // no stack, no exception names

    const noShard = await open(page, [join(TFJS, "model.json")]);
    assert.match(
      noShard,
      /^model\.json: model\.json needs its weight file weights\.bin: open it together with model\.json\.$/,
    );

    for (const status of [weightsOnly, cut, noShard]) assert.ok(status.length < 200, status);
    assert.equal((await readThree(page)).prediction, before);
    await context.close();
  });
});
