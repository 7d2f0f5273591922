// Honest answers, in Chromium on a desktop and on a 390×844 phone: live mode answers once the
// hand pauses (not mid-digit), an answer the drawing has moved on from is marked stale, a dot is
// "too small", a letter is "not sure this is a digit" with no digit in `prediction`, undo (button
// and Ctrl+Z), and one announcement per answer that names the runner-up.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { loadStrokeLetters } from "../../src/strokes/letters.ts";
import { LIVE_PAUSE_MS } from "../../web/live.ts";
import {
  detect,
  drawWithMouse,
  drawWithTouch,
  inkOnPad,
  loadStrokeDigits,
  padBox,
  readResult,
  SCREENS,
  type Screen,
  type StrokeDigit,
  screenshot,
  strokesOnPad,
  useApp,
} from "./harness.ts";

const app = useApp();
let digits: StrokeDigit[];

before(() => {
  digits = loadStrokeDigits();
});

async function open(screen: Screen): Promise<Page> {
  return (await app.openPage(SCREENS[screen])).page;
}

/** Draws strokes with the screen's own pointer: a mouse on the desktop, a finger on the phone. */
async function draw(page: Page, screen: string, strokes: [number, number][][]) {
  const onPad = strokesOnPad(strokes, await padBox(page));
  if (screen === "phone") await drawWithTouch(page, onPad);
  else await drawWithMouse(page, onPad);
}

const text = (page: Page, id: string) =>
  page
    .getByTestId(id)
    .textContent()
    .then((t) => t?.trim() ?? "");

for (const screen of Object.keys(SCREENS) as Screen[]) {
  describe(`honest answers on the ${screen}`, () => {
    test("live mode answers a two-stroke 4 only after the hand pauses, not after its first stroke", async () => {
      const page = await open(screen);
      const four = digits.find((d) => d.label === 4 && d.strokes.length === 2)!;
      const onPad = strokesOnPad(four.strokes, await padBox(page));
      const first = [onPad[0]];
      const second = [onPad[1]];
      const drawPart = screen === "phone" ? drawWithTouch : drawWithMouse;
      await drawPart(page, first);
      await page.waitForTimeout(LIVE_PAUSE_MS / 3);
      assert.equal(await text(page, "prediction"), "", "no answer mid-digit");
      await drawPart(page, second);
      await page.waitForTimeout(LIVE_PAUSE_MS / 3);
      assert.equal(await text(page, "prediction"), "", "the pause starts again after each stroke");
      await page.waitForFunction(
        () => document.querySelector('[data-testid="prediction"]')?.textContent !== "",
      );
      assert.equal((await readResult(page)).detections, 1, "one answer for the whole digit");
      assert.equal(await text(page, "prediction"), "4");
      // One announcement per answer, naming the runner-up; the digit itself is not a live region.
      assert.match(
        await text(page, "announce"),
        /^Digit 4, \d+\.\d% sure; runner-up \d, \d+\.\d%\.$/,
      );
      assert.equal(await page.getByTestId("prediction").getAttribute("aria-live"), "off");
      assert.equal(await text(page, "message"), "");
      await screenshot(page, `${screen}-live-four`);
      await page.context().close();
    });

    test("an answer the drawing has moved on from is marked stale until Detect", async () => {
      const page = await open(screen);
      await page.getByTestId("live").uncheck();
      const seven = digits.find((d) => d.label === 7 && d.strokes.length === 2)!;
      await draw(page, screen, [seven.strokes[0]]);
      await detect(page);
      assert.equal(await page.getByTestId("result").getAttribute("data-stale"), "false");
      assert.equal(await page.getByTestId("stale-note").isVisible(), false);
      await draw(page, screen, seven.strokes);
      assert.equal(await page.getByTestId("result").getAttribute("data-stale"), "true");
      assert.equal(await page.getByTestId("stale-note").isVisible(), true);
      await screenshot(page, `${screen}-stale`);
      const fresh = await detect(page);
      assert.equal(await page.getByTestId("result").getAttribute("data-stale"), "false");
      assert.match(fresh.prediction, /^\d$/);
      await page.context().close();
    });

    test("a dot is too small to read: it says so and claims no digit", async () => {
      const page = await open(screen);
      await page.getByTestId("live").uncheck();
      const box = await padBox(page);
      const dot = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      if (screen === "phone") await drawWithTouch(page, [[dot]]);
      else await drawWithMouse(page, [[dot]]);
      const result = await detect(page);
      assert.match(result.message, /too small/i);
      assert.doesNotMatch(result.message, /\d/);
      assert.equal(result.prediction, "");
      assert.ok(result.bars.every((bar) => bar.value === 0));
      await screenshot(page, `${screen}-too-small`);
      await page.context().close();
    });

    test("undo takes back the last stroke (button and Ctrl+Z)", async () => {
      const page = await open(screen);
      await page.getByTestId("live").uncheck();
      const four = digits.find((d) => d.label === 4 && d.strokes.length === 2)!;
      await draw(page, screen, four.strokes);
      await page.waitForTimeout(50);
      const both = await inkOnPad(page);
      await page.getByTestId("undo").click();
      await page.waitForTimeout(50);
      const one = await inkOnPad(page);
      assert.ok(one > 0 && one < both, `one stroke left (${one} of ${both} lit pixels)`);
      await page.keyboard.press("Control+z");
      await page.waitForTimeout(50);
      assert.equal(await inkOnPad(page), 0, "Ctrl+Z took back the other");
      assert.match((await detect(page)).message, /draw a digit first/i);
      await page.context().close();
    });
  });
}

test("letters are not read as digits: most say 'not sure this is a digit', none claims a digit then", async () => {
  const page = await open("desktop");
  await page.getByTestId("live").uncheck();
  // Two of each letter, spread through the real UNIPEN letters (none of them are digit-like).
  const letters = loadStrokeLetters();
  const kinds = [...new Set(letters.map((l) => l.letter))];
  const picked = kinds.flatMap((k) => letters.filter((l) => l.letter === k).slice(0, 2));
  let flagged = 0;
  for (const letter of picked) {
    await page.getByTestId("clear").click();
    await drawWithMouse(page, strokesOnPad(letter.strokes, await padBox(page)));
    const result = await detect(page);
    if (/not sure this is a digit/i.test(result.message)) {
      flagged++;
      assert.doesNotMatch(result.prediction, /\d/, `${letter.letter}: no digit in prediction`);
      assert.equal(result.probability, "");
      assert.match(result.runnerUp, /^Best guess: \d \(\d+\.\d%\)$/);
      assert.match(await text(page, "announce"), /^Not sure this is a digit\. Best guess \d/);
      if (flagged === 1) await screenshot(page, "desktop-not-a-digit");
    } else {
      assert.match(result.prediction, /^\d$/);
    }
  }
  const share = flagged / picked.length;
  console.log(`letters flagged in the app: ${flagged}/${picked.length}`);
  // The calibration flags 92% of unseen writers' letters (scripts/calibrate-not-a-digit.ts).
  assert.ok(share >= 0.8, `only ${(share * 100).toFixed(0)}% of letters flagged`);
  await page.context().close();
});
