// Reading a number in the app: the pad's strokes (number mode) or an uploaded image, through the
// recognizer's splitting (src/recognize/split-strokes.ts, split-image.ts) and the model in use.
// The answer keeps one ShownResult — the least sure digit's — for the bars, the 28×28 view and
// the runner-up, so a number fills the same panel a digit does.
import type { LineReader } from "../src/recognize/line-reader.ts";
import { ONLY_SHADING, readImageNumber } from "../src/recognize/split-image.ts";
import { readStrokeNumber } from "../src/recognize/split-strokes.ts";
import type { DigitReading, NumberReading, PadStroke } from "../src/recognize/types.ts";
import type { Recognizer } from "./recognizer.ts";
import type { ShownResult } from "./results.ts";

export interface ShownNumber {
  reading: NumberReading;
  /** Where the boxes are: on the pad (pad units) or on the uploaded image (its pixels). */
  on: "pad" | "image";
  /** The digit the panel's bars and 28×28 view show: the least sure one. */
  result: ShownResult;
}

/** The least sure digit of a number, as the panel's one result. */
function focusResult(reading: NumberReading, digits: readonly DigitReading[]): ShownResult {
  let focus = digits[0];
  for (const d of digits) if (d.probability < focus.probability) focus = d;
  return {
    digit: focus.digit,
    probability: focus.probability,
    probabilities: focus.probabilities,
    timeMs: reading.timeMs,
    input: focus.input,
    notADigit: false,
  };
}

/** Reads the strokes drawn on the wide pad; null when they cannot be read as digits. */
export function readDrawnNumber(
  recognizer: Recognizer,
  strokes: readonly PadStroke[],
): { shown: ShownNumber | null; reading: NumberReading } {
  const reading = readStrokeNumber(strokes, recognizer.model, recognizer.check);
  if (reading.number === null) return { shown: null, reading };
  return { shown: { reading, on: "pad", result: focusResult(reading, reading.digits) }, reading };
}

/**
 * Reads an uploaded image as a number, checked by the line reader when there is one: shown only
 * when it holds several digits; `onlyShading` when its only marks are shadows on the paper (then
 * it holds no digit either).
 */
export function readUploadedNumber(
  recognizer: Recognizer,
  image: ImageData,
  lineReader: LineReader | null = null,
): { shown: ShownNumber | null; onlyShading: boolean } {
  const reading = readImageNumber(image.data, image.width, image.height, recognizer.model, {
    lineReader: lineReader ?? undefined,
    check: recognizer.check,
  });
  const onlyShading = reading.unreadable === ONLY_SHADING;
  if (reading.number === null || reading.digits.length < 2) return { shown: null, onlyShading };
  return {
    shown: { reading, on: "image", result: focusResult(reading, reading.digits) },
    onlyShading,
  };
}
