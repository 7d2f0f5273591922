// Marks that are the paper's own shading, not ink: where a shadow's edge curves or meets the
// sheet's edge at a sharp angle, the paper's level (a closing over a square, split-image.ts)
// cannot follow it, and a sliver of shadow stands out as "ink". Ink is darker than the paper all
// round it; such a sliver runs on, at its own brightness, into the shadow it came from.
import type { ByteImage } from "./preprocess.ts";
import { slidingFilter } from "./sliding-filter.ts";

/** The ring round a mark that is looked at: pixels 2 to RING px away from it (Chebyshev). */
const RING = 3;
/**
 * A mark whose standOut is below this is shading, not ink. Measured: ink 0.36 to 1 (photos with
 * shadows, gradients, pencil, rules; scanned numbers), slivers of shadow −0.3 to −1.7.
 */
export const MIN_STAND_OUT = 0.1;

function percentileOf(values: number[], q: number): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))];
}

/**
 * How far a mark stands out from its surroundings, as a share of its ink's strength: about 1 for
 * ink on paper (0.35 or more where a stroke crosses into a shadow), below 0 for a sliver of
 * shadow. `grey` is the image, `darkInk` its polarity, `ink` the strength above the paper and
 * `labels` the marks (8-connected, as split-image.ts labels them).
 */
export function standOut(
  grey: ByteImage,
  darkInk: boolean,
  ink: ByteImage,
  labels: Int32Array,
  label: number,
  box: { left: number; top: number; right: number; bottom: number },
): number {
  const { width, height } = ink;
  const darkness = (i: number) => (darkInk ? 255 - grey.data[i] : grey.data[i]);
  const left = Math.max(0, box.left - RING);
  const top = Math.max(0, box.top - RING);
  const w = Math.min(width, box.right + RING) - left;
  const h = Math.min(height, box.bottom + RING) - top;
  const mine = new Uint8Array(w * h);
  const own: number[] = [];
  const strength: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y + top) * width + x + left;
      if (labels[i] !== label) continue;
      mine[y * w + x] = 1;
      own.push(darkness(i));
      strength.push(ink.data[i]);
    }
  }
  // Within RING of the mark but not next to it (that is the stroke's own blur), and no other mark.
  const near = slidingFilter(mine, w, h, 1, Math.max);
  const reach = slidingFilter(mine, w, h, RING, Math.max);
  const ring: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y + top) * width + x + left;
      if (reach[y * w + x] && !near[y * w + x] && labels[i] === 0) ring.push(darkness(i));
    }
  }
  const mark = percentileOf(own, 0.5);
  const surround = percentileOf(ring, 0.8);
  const typical = Math.max(1, percentileOf(strength, 0.5));
  return (mark - surround) / typical;
}
