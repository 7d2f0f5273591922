// A photo test set of our own making: real pen digits written "on paper" and photographed the
// way people do — a strong shadow across a corner, a light gradient, pencil at low contrast,
// lined or squared paper, the digit small in a large photo — then saved as JPEG and decoded.
import jpeg from "jpeg-js";
import type { StrokeDigit } from "../../src/strokes/dataset.ts";
import { placeOnPad } from "../../src/strokes/placement.ts";
import { renderPaths } from "../../src/strokes/render.ts";
import type { Rng } from "../../src/util/rng.ts";

export type PhotoCondition = "shadow" | "gradient" | "pencil" | "lined" | "squared" | "small";
export const CONDITIONS: PhotoCondition[] = [
  "shadow",
  "gradient",
  "pencil",
  "lined",
  "squared",
  "small",
];

export interface Photo {
  rgba: Uint8Array;
  width: number;
  height: number;
}

/** One photo of a digit under a condition: RGBA pixels after a JPEG round trip (quality 70). */
export function photograph(digit: StrokeDigit, condition: PhotoCondition, rng: Rng): Photo {
  const width = condition === "small" ? 960 : 320;
  const height = condition === "small" ? 720 : 320;
  const side = condition === "small" ? 90 : 240; // the digit's square: ~9% of a large photo's width
  const paths = placeOnPad(digit, side, { size: 0.75, x: 0.5, y: 0.5, step: 1 });
  const ink = renderPaths(paths, side, side * 0.06);
  const left = Math.floor(rng() * (width - side));
  const top = Math.floor(rng() * (height - side));
  const paper = 215 + rng() * 30;
  const inkLevel = condition === "pencil" ? paper - 45 - rng() * 20 : 30 + rng() * 40;
  const shadowX = rng() < 0.5 ? 0 : width;
  const shadowY = rng() < 0.5 ? 0 : height;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let light = paper;
      if (condition === "shadow") {
        // A hard-edged shadow over a corner (a hand or a phone), half as bright.
        const d = Math.hypot(x - shadowX, y - shadowY) / Math.hypot(width, height);
        light *= d < 0.45 ? 0.5 : d < 0.5 ? 0.5 + (d - 0.45) * 10 : 1;
      } else if (condition === "gradient") {
        light *= 0.55 + (0.45 * (x + y)) / (width + height);
      }
      let r = light;
      let g = light;
      let b = light;
      const lined = condition === "lined" && y % 24 === 0;
      const squared = condition === "squared" && (y % 20 === 0 || x % 20 === 0);
      if (lined || squared) {
        r *= 0.75; // faint blue rules
        g *= 0.85;
      }
      const ix = x - left;
      const iy = y - top;
      const a = ix >= 0 && iy >= 0 && ix < side && iy < side ? ink[iy * side + ix] / 255 : 0;
      const level = (light / paper) * inkLevel;
      const noise = (rng() - 0.5) * 8;
      r = r * (1 - a) + level * 0.6 * a + noise;
      g = g * (1 - a) + level * 0.7 * a + noise;
      b = b * (1 - a) + level * 1.3 * a + noise; // navy ink, grey pencil
      const k = (y * width + x) * 4;
      rgba[k] = r;
      rgba[k + 1] = g;
      rgba[k + 2] = b;
      rgba[k + 3] = 255;
    }
  }
  const file = jpeg.encode({ data: rgba, width, height }, 70);
  const decoded = jpeg.decode(file.data, { useTArray: true, formatAsRGBA: true });
  return { rgba: decoded.data, width: decoded.width, height: decoded.height };
}

/**
 * Blank paper, `width`×`height`, half as bright within `reach` (share of the diagonal) of a
 * corner, with a 5%-of-the-diagonal soft edge; noise, then a JPEG round trip.
 */
export function shadowedSheet(
  width: number,
  height: number,
  corner: number,
  reach: number,
  rng: Rng,
): Photo {
  const cx = corner & 1 ? width : 0;
  const cy = corner & 2 ? height : 0;
  const diagonal = Math.hypot(width, height);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x - cx, y - cy) / diagonal - reach;
      const light = 230 * (d < 0 ? 0.5 : d < 0.05 ? 0.5 + d * 10 : 1) + (rng() - 0.5) * 8;
      rgba.set([light, light, light, 255], (y * width + x) * 4);
    }
  }
  const file = jpeg.encode({ data: rgba, width, height }, 80);
  const decoded = jpeg.decode(file.data, { useTArray: true, formatAsRGBA: true });
  return { rgba: decoded.data, width: decoded.width, height: decoded.height };
}
