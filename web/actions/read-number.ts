// Intent: "read the number I wrote" (Detect or live mode with the Number switch on) and "use the
// number pad" (the switch itself). The wide pad's strokes are split into digits and each digit
// read by the model in use; the answer is the number, or why the ink is not digits.
import type { App } from "../app.ts";
import { readDrawnNumber } from "../number-reading.ts";
import type { Recognizer } from "../recognizer.ts";

/** Why ink cannot be read as digits, without a digit in it (tests read digits as answers). */
export function unreadableMessage(reason: string | undefined): string {
  const plain = (reason ?? "")
    .replace(/^mark \d+ /, "one mark ")
    .replace(/^\d+ separate marks/, "too many separate marks")
    .replace(/^\d+ of its \d+ marks/, "most of its marks");
  return `Cannot read this as digits: ${plain || "no ink to read"}.`;
}

/** Reads the pad as a number; the caller has marked "detect-start". */
export function readNumberOnPad(app: App, recognizer: Recognizer): void {
  const { shown, reading } = readDrawnNumber(recognizer, app.pad.getStrokes());
  if (!shown) {
    app.store.set({
      result: null,
      number: null,
      stale: false,
      message: unreadableMessage(reading.unreadable),
    });
    return;
  }
  app.store.set({ result: shown.result, number: shown, stale: false, message: "" });
  performance.measure("detect", "detect-start");
}

/** Switches between the square one-digit pad and the wide number pad (the drawing is cleared). */
export function setNumberMode(app: App, on: boolean): void {
  if (app.store.state.numberMode === on) return;
  app.live.cancel();
  app.pad.clear();
  app.store.set({ numberMode: on, result: null, number: null, stale: false, message: "" });
}
