// The app's "Open your own .tflite" with other people's models (../shared/models-in-the-wild):
// a full-integer CNN and a dynamic-batch MLIR model are opened and read the tutorial's three;
// the Edge TPU file and the tutorial's mat_mul are refused in the status line with the reason,
// the model in use staying; the input-scale control reopens the model with the scale picked.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { readResult, useApp } from "./harness.ts";

const WILD = "../shared/models-in-the-wild";
const THREE = join(WILD, "tutorial-three.bmp");

describe("the app opens any digit classifier", () => {
  const app = useApp();

  async function open(page: Page, name: string): Promise<string> {
    await page.getByTestId("model-file").setInputFiles({
      name,
      mimeType: "application/octet-stream",
      buffer: readFileSync(join(WILD, name)),
    });
    await page.waitForFunction(
      (file) =>
        document.querySelector('[data-testid="model-status"]')?.textContent?.startsWith(file) ||
        document.querySelector('[data-testid="model-status"]')?.textContent === `Using ${file}.`,
      name,
    );
    return (await page.getByTestId("model-status").textContent()) ?? "";
  }

  async function readThree(page: Page): Promise<string> {
    await page.evaluate(() => performance.clearMeasures("detect"));
    await page.getByTestId("upload").setInputFiles(THREE);
    await page.waitForFunction(() => performance.getEntriesByName("detect").length > 0);
    return (await readResult(page)).prediction;
  }

  test("other people's models: opened and read, or refused with the reason", async () => {
    const { context, page } = await app.openPage();

    for (const name of [
      "keras2-cnn-dropout.int8-uint8io.tflite",
      "mlir-cnn-dynamic-batch.tflite",
    ]) {
      assert.equal(await open(page, name), `Using ${name}.`);
      assert.match(
        (await page.getByTestId("model-feeding").textContent()) ?? "",
        /input \[1,28,28,1\]/,
      );
      assert.equal(await readThree(page), "3", name);
    }
    assert.match(
      await open(page, "keras2-cnn-dropout.edgetpu.tflite"),
      /not a usable digit model: .*custom operator "edgetpu-custom-op"/,
    );
    assert.match(await open(page, "tutorial-mat_mul.tflite"), /not an image model/);
    // The last good model is still in use.
    assert.equal(await readThree(page), "3");

    await page.getByTestId("input-range").selectOption("0-255");
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="model-feeding"]')?.textContent?.includes("as told"),
    );
    assert.match(
      (await page.getByTestId("model-feeding").textContent()) ?? "",
      /0–255 \(as told\)/,
    );
    await context.close();
  });
});
