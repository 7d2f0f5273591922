import type { Rng } from "../util/rng.ts";
import type { PadPath } from "./placement.ts";
import { renderPathsInto } from "./render.ts";

/**
 * A photo or scan of a digit written on paper: dark ink on light paper, lit unevenly (a gradient
 * and a soft shadow), slightly out of focus, with sensor noise and a paper tint. Built from the
 * same pad paths as the app's drawings; returns RGBA bytes, `size`×`size`.
 */
export function renderScan(
  paths: PadPath[],
  size: number,
  penWidth: number,
  rng: Rng,
): Uint8ClampedArray {
  return renderScanInto(paths, size, size, penWidth, rng);
}

/** The same on a `width`×`height` sheet (a line of digits). */
export function renderScanInto(
  paths: PadPath[],
  width: number,
  height: number,
  penWidth: number,
  rng: Rng,
): Uint8ClampedArray {
  return photographInk(renderPathsInto(paths, width, height, penWidth), width, height, rng);
}

/** Ink (0–255, `width`×`height`) as a photo of it on paper, the way renderScanInto shoots strokes. */
export function photographInk(
  ink: Uint8ClampedArray,
  width: number,
  height: number,
  rng: Rng,
): Uint8ClampedArray {
  const size = Math.max(width, height);
  const blurred = boxBlur(ink, width, height, 1 + Math.floor(rng() * 2));
  // Paper brightness varies across the page: a linear gradient plus a darker corner.
  const paper = 200 + rng() * 45;
  const gx = (rng() - 0.5) * 70;
  const gy = (rng() - 0.5) * 70;
  const sx = rng() * width;
  const sy = rng() * height;
  const shadow = 30 + rng() * 40;
  const inkLevel = 20 + rng() * 60; // blue-black to pencil grey
  const noise = 3 + rng() * 8;
  const tint = [1, 0.97 + rng() * 0.03, 0.9 + rng() * 0.1]; // warm paper, cool light
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const d = Math.hypot(x - sx, y - sy) / size;
      const light =
        paper +
        (gx * (x - width / 2)) / size +
        (gy * (y - height / 2)) / size -
        shadow * Math.exp(-4 * d * d);
      const a = blurred[i] / 255;
      const v = light * (1 - a) + inkLevel * a + gaussian(rng) * noise;
      for (let c = 0; c < 3; c++) out[i * 4 + c] = v * tint[c];
      out[i * 4 + 3] = 255;
    }
  }
  return out;
}

function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** A separable box blur of radius `r` (two passes look like a mild defocus). */
function boxBlur(src: Uint8ClampedArray, width: number, height: number, r: number): Float32Array {
  let a: Float32Array = Float32Array.from(src);
  for (let pass = 0; pass < 2; pass++) {
    a = boxPass(boxPass(a, width, height, r, 1, 0), width, height, r, 0, 1);
  }
  return a;
}

/** One box-blur pass along (dx, dy): each pixel the mean of its in-image neighbours within `r`. */
function boxPass(
  a: Float32Array,
  width: number,
  height: number,
  r: number,
  dx: number,
  dy: number,
): Float32Array {
  const b = new Float32Array(a.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      let n = 0;
      for (let k = -r; k <= r; k++) {
        const xx = x + k * dx;
        const yy = y + k * dy;
        if (xx >= 0 && xx < width && yy >= 0 && yy < height) {
          s += a[yy * width + xx];
          n++;
        }
      }
      b[y * width + x] = s / n;
    }
  }
  return b;
}

/** A composed number's strokes (pad units: the pad's height is 1) as a photo of paper. */
export interface NumberScanImage {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  /** The pen's width in pixels, and the strokes in pixels (for knowing which ink is which digit). */
  pen: number;
  paths: PadPath[];
}

/**
 * A number written on paper as `npm run eval:strokes -- --mode scans` photographs it: 60–160 px
 * high, `aspect` times as wide, a ballpoint to a felt-tip pen.
 */
export function renderNumberScan(
  strokes: readonly { x: number; y: number }[][],
  aspect: number,
  rng: Rng,
): NumberScanImage {
  const height = Math.round(60 + rng() * 100);
  const width = Math.round(height * aspect);
  const pen = height * (0.04 + rng() * 0.06);
  const paths = strokes.map((s) => s.map((p) => [p.x * height, p.y * height] as [number, number]));
  const rgba = renderScanInto(paths, width, height, pen, rng);
  return { rgba, width, height, pen, paths };
}
