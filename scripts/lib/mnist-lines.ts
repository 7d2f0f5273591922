// Numbers laid out from MNIST digits and photographed as the scan renderer photographs pen
// strokes: the shapes of MNIST's hundreds of writers for the line reader, where pendigits has
// fifteen to train on. The layout follows src/strokes/number.ts's composeNumber (gaps, sizes,
// drift, slant, fit to the sheet: placeDigits and fitToSheet), with bitmaps in place of strokes.
import type { Dataset } from "../../src/data/mnist.ts";
import {
  COMPOSE_ASPECT,
  type ComposeRanges,
  extentOf,
  fitToSheet,
  placeDigits,
  REALISTIC,
} from "../../src/strokes/number.ts";
import { photographInk } from "../../src/strokes/scan.ts";
import type { Rng } from "../../src/util/rng.ts";

export interface BitmapNumberScan {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  labels: number[];
  /** Each digit's centre (the middle of its box at half its height), in image pixels. */
  centres: number[];
}

/**
 * MNIST's test digits are split in two: the first half checks the line reader while it trains, the
 * second half is left for the tests and measurements.
 */
export const MNIST_CHECK_DIGITS = 5000;

/** Digits [from, to) of a dataset, sharing its bytes. */
export function datasetPart(data: Dataset, from: number, to: number): Dataset {
  const size = data.rows * data.cols;
  return {
    ...data,
    images: data.images.subarray(from * size, to * size),
    labels: data.labels.subarray(from, to),
    count: to - from,
  };
}

/** A number of `length` digits of `data` picked at random, laid out and photographed. */
export function randomBitmapNumberScan(
  data: Dataset,
  length: number,
  rng: Rng,
  ranges: ComposeRanges = REALISTIC,
): BitmapNumberScan {
  const indices = Array.from({ length }, () => Math.floor(rng() * data.count));
  return renderBitmapNumberScan(data, indices, rng, ranges);
}

/** MNIST pixels at or above this count as the digit's ink when it is cropped. */
const CROP_INK = 30;

interface Crop {
  index: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

function cropOf(data: Dataset, index: number): Crop {
  const { rows, cols } = data;
  const base = index * rows * cols;
  let [left, top, right, bottom] = [cols, rows, -1, -1];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      if (data.images[base + y * cols + x] < CROP_INK) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) return { index, left: 0, top: 0, width: cols, height: rows };
  return { index, left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** The digit's grey at a point of its crop (0–1 across and down), bilinear, 0 outside. */
function sample(data: Dataset, crop: Crop, u: number, v: number): number {
  const { rows, cols } = data;
  const fx = crop.left - 0.5 + u * crop.width;
  const fy = crop.top - 0.5 + v * crop.height;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const at = (x: number, y: number) =>
    x < 0 || y < 0 || x >= cols || y >= rows
      ? 0
      : data.images[crop.index * rows * cols + y * cols + x];
  const ax = fx - x0;
  const ay = fy - y0;
  return (
    (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x0 + 1, y0)) +
    ay * ((1 - ax) * at(x0, y0 + 1) + ax * at(x0 + 1, y0 + 1))
  );
}

/**
 * The digits `indices` of `data`, left to right on a sheet 60–160 px high and `aspect` times as
 * wide, photographed on paper.
 */
export function renderBitmapNumberScan(
  data: Dataset,
  indices: readonly number[],
  rng: Rng,
  ranges: ComposeRanges = REALISTIC,
  aspect = COMPOSE_ASPECT,
): BitmapNumberScan {
  const crops = indices.map((i) => cropOf(data, i));
  const shapes = crops.map((c) => c.width / c.height);
  const { slant, boxes } = placeDigits(shapes, rng, ranges);
  // Slant about the baseline: a point (x, y) is drawn at x − slant·(y − 1).
  const corners = boxes.flatMap((b, i) =>
    [b.bottom - b.size, b.bottom].flatMap((y) =>
      [b.left, b.left + shapes[i] * b.size].map((bx) => [bx - slant * (y - 1), y] as const),
    ),
  );
  const extent = extentOf(corners);
  const { minX, minY } = extent;
  const { scale, left, top } = fitToSheet(extent, rng, aspect, ranges);
  const height = Math.round(60 + rng() * 100);
  const width = Math.round(height * aspect);
  const toImage = (ux: number, uy: number) => [
    (left + (ux - slant * (uy - 1) - minX) * scale) * height,
    (top + (uy - minY) * scale) * height,
  ];
  const ink = new Uint8ClampedArray(width * height);
  const centres: number[] = [];
  for (const [i, b] of boxes.entries()) {
    const w = shapes[i] * b.size;
    const [cx] = toImage(b.left + w / 2, b.bottom - b.size / 2);
    centres.push(cx);
    const [x0, y0] = toImage(b.left, b.bottom - b.size);
    const [x1, y1] = toImage(b.left + w, b.bottom);
    const reach = Math.abs(slant) * b.size * scale * height;
    for (let py = Math.max(0, Math.floor(y0)); py < Math.min(height, Math.ceil(y1)); py++) {
      // Back from the image to the digit's box: undo the fit, then the slant.
      const uy = (py + 0.5) / height / scale - top / scale + minY;
      const v = (uy - (b.bottom - b.size)) / b.size;
      if (v < 0 || v > 1) continue;
      const from = Math.max(0, Math.floor(Math.min(x0, x1) - reach));
      const to = Math.min(width, Math.ceil(Math.max(x0, x1) + reach));
      for (let px = from; px < to; px++) {
        const ux = (px + 0.5) / height / scale - left / scale + minX + slant * (uy - 1);
        const u = (ux - b.left) / w;
        if (u < 0 || u > 1) continue;
        const g = sample(data, crops[i], u, v);
        const at = py * width + px;
        if (g > ink[at]) ink[at] = g;
      }
    }
  }
  return {
    rgba: photographInk(ink, width, height, rng),
    width,
    height,
    labels: indices.map((i) => data.labels[i]),
    centres,
  };
}
