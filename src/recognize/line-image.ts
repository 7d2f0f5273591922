// An image's line of ink as the line reader (line-reader.ts) sees it: the ink inside the kept
// parts' box, scaled so that one line height is LINE_PIXELS high, in a LINE_HEIGHT × LINE_WIDTH
// strip starting at its left, white on black, 0–1. Tall lines are shrunk further to fit, and long
// ones to end by LINE_INK_END.
import type { ByteImage } from "./preprocess.ts";
import { type Span, unionSpan } from "./segment.ts";

export const LINE_HEIGHT = 24;
export const LINE_WIDTH = 192;
/** A line height in the strip (a digit's height, as MNIST's 20 px box at 28). */
export const LINE_PIXELS = 16;
/** Blank columns left of the ink. */
const LEFT_MARGIN = 2;
/**
 * The column a long line's ink is shrunk to end at. The reader's last frame reads a digit centred
 * near column 4·35 + 7 = 147 (FRAME_STRIDE and FRAME_CENTRE in line-reader.ts), so ink further
 * right was read poorly: filling all the strip, it dropped a long line's last digits. Spaced 8-digit
 * numbers of MNIST's test digits 0–4,999 (150) read 68.0% entirely right ending at 190, 73.3% at
 * 156, 78.0% at 148 and 77.3% at 140; writers 16–20's, 84.7%, 84.7%, 85.3% and 84.7%.
 */
export const LINE_INK_END = 148;
/** The strip's ink is scaled so that this share of its strongest pixel reads as full ink. */
const FULL_INK = 0.8;

export interface LineStrip {
  pixels: Float32Array;
  /** The working image's x at the strip's left edge, and its pixels per strip pixel. */
  left: number;
  step: number;
  /** The ink's box in the working image. */
  box: Span;
}

/** The strip of the ink in `boxes` (the parts to read) of a line `line` pixels high. */
export function lineImage(ink: ByteImage, boxes: readonly Span[], line: number): LineStrip {
  const box = unionSpan(boxes);
  const width = Math.max(1, box.right - box.left);
  const height = Math.max(1, box.bottom - box.top);
  const scale = Math.min(
    LINE_PIXELS / Math.max(line, 1),
    (LINE_HEIGHT - 2) / height,
    (LINE_INK_END - LEFT_MARGIN) / width,
  );
  const step = 1 / scale;
  const left = box.left - LEFT_MARGIN * step;
  const top = (box.top + box.bottom) / 2 - (LINE_HEIGHT / 2) * step;
  // Each strip pixel averages sub × sub samples of the working image, so shrinking keeps thin ink.
  const sub = Math.max(1, Math.round(step));
  const pixels = new Float32Array(LINE_HEIGHT * LINE_WIDTH);
  let peak = 0;
  for (let r = 0; r < LINE_HEIGHT; r++) {
    for (let c = 0; c < LINE_WIDTH; c++) {
      let sum = 0;
      for (let a = 0; a < sub; a++) {
        const y = Math.floor(top + (r + (a + 0.5) / sub) * step);
        if (y < box.top || y >= box.bottom) continue;
        for (let b = 0; b < sub; b++) {
          const x = Math.floor(left + (c + (b + 0.5) / sub) * step);
          if (x >= box.left && x < box.right) sum += ink.data[y * ink.width + x];
        }
      }
      const v = sum / (sub * sub);
      pixels[r * LINE_WIDTH + c] = v;
      if (v > peak) peak = v;
    }
  }
  if (peak > 0) {
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(1, pixels[i] / (FULL_INK * peak));
  }
  return { pixels, left, step, box };
}
