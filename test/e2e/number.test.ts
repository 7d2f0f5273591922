// Reading a number in the app: the Number switch widens the pad, real mouse pointer events draw
// numbers composed from held-out writers' pen strokes (21–30), Detect shows the number, each
// digit's probability and a box over it; an uploaded scan of a number is read too, touching digits
// checked by the line reader as the CLI checks them.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Page } from "playwright-core";
import { PNG } from "pngjs";
import { defaultModelPath, MODELS_DIR } from "../../src/cli/default-model.ts";
import { Classifier } from "../../src/recognize/classifier.ts";
import { LINE_READER_FILE, LineReader } from "../../src/recognize/line-reader.ts";
import { readImageNumber } from "../../src/recognize/split-image.ts";
import type { PadStroke } from "../../src/recognize/types.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { COMPOSE_ASPECT, composeNumber, planNumbers, TOUCHING } from "../../src/strokes/number.ts";
import { renderNumberScan } from "../../src/strokes/scan.ts";
import { writerGroup } from "../../src/strokes/split.ts";
import { createRng } from "../../src/util/rng.ts";
import { letterLine } from "../recognize/letter-lines.ts";
import { numberScan } from "../recognize/number-scan.ts";
import { detect, drawWithMouse, loadStrokeDigits, padBox, screenshot, useApp } from "./harness.ts";

const app = useApp();
const dir = mkdtempSync(join(tmpdir(), "digitkit-number-"));
const heldOut = loadStrokeDigits().filter((d) => writerGroup(d.writer) === "heldOut");

after(() => rmSync(dir, { recursive: true, force: true }));

async function numberPage(width: number, height: number) {
  const { context, page } = await app.openPage({ viewport: { width, height } });
  await page.getByTestId("live").uncheck();
  await page.getByTestId("number-mode").check();
  return { context, page };
}

/** Pad-unit strokes (the pad's height = 1) as page coordinates on the pad. */
async function onPad(page: Page, strokes: PadStroke[]) {
  const pad = await padBox(page);
  return strokes.map((s) =>
    s.map((p) => ({ x: pad.x + p.x * pad.height, y: pad.y + p.y * pad.height })),
  );
}

async function shown(page: Page) {
  return page.evaluate(() => ({
    digits: [
      ...document.querySelectorAll<HTMLElement>('[data-testid="digits"] [data-testid="digit"]'),
    ].map((d) => ({ digit: Number(d.dataset.digit), probability: Number(d.dataset.probability) })),
    boxes: [...document.querySelectorAll<HTMLElement>('[data-testid="digit-box"]')].map((b) =>
      b.getBoundingClientRect().toJSON(),
    ),
  }));
}

test("the Number switch widens the pad: 8 digits fit on a desktop, 6 on a phone", async () => {
  for (const [width, height, digits] of [
    [1280, 900, 8],
    [390, 844, 6],
  ] as const) {
    const { context, page } = await numberPage(width, height);
    const pad = await padBox(page);
    // A digit half the pad's height and 0.7 of that wide, with a quarter of it as gap.
    const perDigit = 0.5 * pad.height * 0.7 * 1.25;
    assert.ok(
      pad.width >= digits * perDigit,
      `${width}px: ${digits} digits need ${digits * perDigit}px, pad is ${pad.width}`,
    );
    assert.ok(
      pad.height >= 100,
      `${width}px: the pad is ${pad.height}px high, too low to write in`,
    );
    await page.getByTestId("number-mode").uncheck();
    const square = await padBox(page);
    assert.ok(Math.abs(square.width - square.height) < 1, "off again, the pad is square");
    await context.close();
  }
});

test("numbers drawn with the mouse read right, with a box over each digit", async () => {
  const { context, page } = await numberPage(1280, 900);
  const pad = await padBox(page);
  const rng = createRng(15);
  const plans = [...planNumbers(heldOut, [4], 6, rng), ...planNumbers(heldOut, [8], 3, rng)];
  let right = 0;
  for (const [k, plan] of plans.entries()) {
    const number = composeNumber(plan, rng, pad.width / pad.height);
    await page.getByTestId("clear").click();
    await drawWithMouse(page, await onPad(page, number.strokes));
    const result = await detect(page);
    const want = number.labels.join("");
    if (result.prediction === want) right++;
    if (k === 0) {
      assert.equal(result.prediction, want);
      const { digits, boxes } = await shown(page);
      assert.deepEqual(
        digits.map((d) => d.digit),
        number.labels,
      );
      assert.equal(boxes.length, number.labels.length);
      for (let i = 1; i < boxes.length; i++)
        assert.ok(boxes[i].x > boxes[i - 1].x, "left to right");
      for (const b of boxes) {
        assert.ok(b.x >= pad.x - 1 && b.x + b.width <= pad.x + pad.width + 1, "boxes on the pad");
      }
      assert.match(result.probability, /^\d+\.\d%$/);
      await screenshot(page, "number-desktop");
    }
  }
  // The measured figure is ~98% of 4-digit and ~93% of 8-digit numbers; 9 numbers wobble.
  assert.ok(right >= 7, `only ${right} of ${plans.length} numbers read right`);
  // Clear takes the number, its digits and its boxes away.
  await page.getByTestId("clear").click();
  const empty = await shown(page);
  assert.equal(empty.digits.length + empty.boxes.length, 0);
  assert.equal(await page.getByTestId("prediction").textContent(), "");
  await context.close();
});

test("one digit in number mode reads as that digit; a scribble says it is not digits", async () => {
  const { context, page } = await numberPage(1280, 900);
  const three = heldOut.find((d) => d.label === 3 && d.strokes.length === 1)!;
  const number = composeNumber([three], createRng(2), 5);
  await drawWithMouse(page, await onPad(page, number.strokes));
  const result = await detect(page);
  assert.equal(result.prediction, "3");
  assert.equal((await shown(page)).boxes.length, 1);
  await page.getByTestId("clear").click();
  const zigzag = Array.from({ length: 30 }, (_, i) => ({
    x: 0.3 + i * 0.12,
    y: i % 2 ? 0.3 : 0.7,
  }));
  await drawWithMouse(page, await onPad(page, [zigzag]));
  const scribble = await detect(page);
  assert.equal(scribble.prediction, "");
  assert.match(scribble.message, /Cannot read this as digits/);
  assert.doesNotMatch(scribble.message, /\d/);
  await context.close();
});

test("a line of letters drawn in number mode says its marks do not look like digits", async () => {
  const rng = createRng(7);
  const { context, page } = await numberPage(1280, 900);
  let toldWhy = 0;
  for (let k = 0; k < 4; k++) {
    const line = letterLine(rng, 4);
    const { strokes } = composeNumber(line, rng, 5);
    await page.getByTestId("clear").click();
    await drawWithMouse(page, await onPad(page, strokes));
    const result = await detect(page);
    if (/most of its marks do not look like digits/.test(result.message)) {
      assert.equal(result.prediction, "");
      toldWhy++;
    }
  }
  // Measured in Node: 3 of 200 such lines are read as numbers, and these 4 are not.
  assert.ok(toldWhy >= 3, `only ${toldWhy} of 4 lines of letters told they are not digits`);
  await context.close();
});

test("an uploaded scan of a number is read as the number", async () => {
  const { context, page } = await numberPage(1280, 900);
  await page.getByTestId("number-mode").uncheck(); // uploads read numbers in either mode
  const { png } = numberScan("tra-23", [1, 9, 8, 4], { seed: 8, height: 120, pen: 7 });
  const file = join(dir, "1984.png");
  writeFileSync(file, png);
  const before = await page.evaluate(() => performance.getEntriesByName("detect").length);
  await page.getByTestId("upload").setInputFiles(file);
  await page.waitForFunction((n) => performance.getEntriesByName("detect").length > n, before);
  assert.equal(await page.getByTestId("prediction").textContent(), "1984");
  assert.equal((await shown(page)).digits.length, 4);
  await context.close();
});

test("an uploaded photo of touching digits is checked by the line reader, as digitkit predict checks it", async () => {
  // A touching number of a held-out writer that the splitter alone misreads and the line reader
  // reads right, found in Node as predict reads it.
  const classifier = await Classifier.load(readFileSync(defaultModelPath()), nodeWasmRoot());
  const lineReader = LineReader.fromTflite(readFileSync(`${MODELS_DIR}${LINE_READER_FILE}`));
  const rng = createRng(61);
  let found: { png: Buffer; want: string } | null = null;
  try {
    for (const plan of planNumbers(heldOut, [4], 40, rng)) {
      const number = composeNumber(plan, rng, COMPOSE_ASPECT, TOUCHING);
      const scan = renderNumberScan(number.strokes, COMPOSE_ASPECT, rng);
      const want = number.labels.join("");
      const alone = readImageNumber(scan.rgba, scan.width, scan.height, classifier).number;
      const checked = readImageNumber(scan.rgba, scan.width, scan.height, classifier, {
        lineReader,
      }).number;
      if (alone === want || checked !== want) continue;
      const png = new PNG({ width: scan.width, height: scan.height });
      png.data = Buffer.from(scan.rgba);
      found = { png: PNG.sync.write(png), want };
      break;
    }
  } finally {
    classifier.dispose();
    lineReader.dispose();
  }
  assert.ok(found, "no touching number of 40 that only the line reader reads right");
  const { context, page } = await numberPage(1280, 900);
  const file = join(dir, `touching-${found.want}.png`);
  writeFileSync(file, found.png);
  const before = await page.evaluate(() => performance.getEntriesByName("detect").length);
  await page.getByTestId("upload").setInputFiles(file);
  await page.waitForFunction((n) => performance.getEntriesByName("detect").length > n, before);
  assert.equal(await page.getByTestId("prediction").textContent(), found.want);
  assert.equal((await shown(page)).digits.length, found.want.length);
  await context.close();
});
