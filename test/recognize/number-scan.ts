// A written number photographed on paper, for the tests that read one from an image (the CLI's
// --json and the app's upload): the given digits by one held-out writer, spaced as people space
// them, rendered as dark ink on unevenly lit paper and saved as PNG.
import { PNG } from "pngjs";
import { loadStrokeDigits } from "../../src/strokes/dataset.ts";
import { COMPOSE_ASPECT, composeNumber } from "../../src/strokes/number.ts";
import { renderScanInto } from "../../src/strokes/scan.ts";
import { createRng } from "../../src/util/rng.ts";

/** A number's digits spaced as people space them: gaps of 0.3–0.5 heights, a little drift. */
export const SPACED_AS_PEOPLE = {
  height: [0.6, 0.7] as [number, number],
  gap: [0.3, 0.5] as [number, number],
  sizeJitter: 0.1,
  drift: 0.05,
  slant: 0.1,
};

export interface NumberScan {
  png: Buffer;
  width: number;
  height: number;
  labels: number[];
}

/** `labels` written by `writer`, `height` px high and COMPOSE_ASPECT times as wide, pen `pen` px. */
export function numberScan(
  writer: string,
  labels: number[],
  { seed, height, pen }: { seed: number; height: number; pen: number },
): NumberScan {
  const mine = loadStrokeDigits().filter((d) => d.writer === writer);
  const digits = labels.map((label) => {
    const digit = mine.find((d) => d.label === label);
    if (!digit) throw new Error(`writer ${writer} wrote no ${label}`);
    return digit;
  });
  const rng = createRng(seed);
  const number = composeNumber(digits, rng, COMPOSE_ASPECT, SPACED_AS_PEOPLE);
  const width = height * COMPOSE_ASPECT;
  const paths = number.strokes.map((s) =>
    s.map((p) => [p.x * height, p.y * height] as [number, number]),
  );
  const png = new PNG({ width, height });
  png.data = Buffer.from(renderScanInto(paths, width, height, pen, rng));
  return { png: PNG.sync.write(png), width, height, labels };
}
