// Lines of UNIPEN letters laid out as numbers are: what the not-a-digit check on a number must
// refuse. Letters are given label 0 so that the number composer takes them as it takes digits.
import type { StrokeDigit } from "../../src/strokes/dataset.ts";
import { loadStrokeLetters } from "../../src/strokes/letters.ts";
import type { Rng } from "../../src/util/rng.ts";

const letters: StrokeDigit[] = loadStrokeLetters().map((l) => ({
  label: 0,
  writer: l.writer,
  strokes: l.strokes,
}));

/** `length` letters picked at random (of any writers), to compose as one line. */
export function letterLine(rng: Rng, length: number): StrokeDigit[] {
  return Array.from({ length }, () => letters[Math.floor(rng() * letters.length)]);
}
