import { preprocess } from "../recognize/preprocess.ts";
import type { Rng } from "../util/rng.ts";
import type { StrokeDigit } from "./dataset.ts";
import { CLASSIFY_SIDE, PAD_PEN_FRACTION, placeOnPad, randomPlacement } from "./placement.ts";
import { renderPaths } from "./render.ts";

/**
 * Pen-stroke digits as MNIST-style training images: each digit drawn `copies` times as the app's
 * pad would draw it (random size, position, speed), through the same preprocessing the app uses.
 * Only ever given writers 01–15: 16–20 calibrate, and the held-out writers 21–30 stay unseen.
 */
export function renderTrainingImages(
  digits: StrokeDigit[],
  copies: number,
  rng: Rng,
): { images: Uint8Array; labels: Uint8Array; count: number } {
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (const digit of digits) {
    for (let c = 0; c < copies; c++) {
      const paths = placeOnPad(digit, CLASSIFY_SIDE, randomPlacement(rng));
      const grey = renderPaths(paths, CLASSIFY_SIDE, CLASSIFY_SIDE * PAD_PEN_FRACTION);
      const input = preprocess(grey, CLASSIFY_SIDE, CLASSIFY_SIDE);
      if (!input) continue;
      images.push(Uint8Array.from(input, (v) => Math.round(v * 255)));
      labels.push(digit.label);
    }
  }
  const all = new Uint8Array(images.length * 784);
  for (const [i, image] of images.entries()) all.set(image, i * 784);
  return { images: all, labels: Uint8Array.from(labels), count: images.length };
}
