/**
 * Stroke-width normalisation: a digit drawn small with a fixed-width pen is, once fitted into
 * MNIST's 20×20 box, much bolder than MNIST's strokes (a 20 px pen on a 60 px digit becomes
 * about 5 px of 28); drawn large, thinner. This redraws the ink with the pen width that, after
 * the fit, matches MNIST's typical stroke, using a signed distance to the ink's edge.
 */

/** Typical MNIST stroke width in pixels of the 28×28 image (measured: median about 2.6). */
export const MNIST_STROKE_WIDTH = 2.6;

const INF = 1e9;
const DIAG = Math.SQRT2;

/**
 * Chamfer distance (steps 1, √2) from each pixel where `inside` to the nearest pixel outside;
 * beyond the image's edge counts as outside when `edgeIsOutside`.
 */
function distanceToOutside(
  inside: Uint8Array,
  w: number,
  h: number,
  edgeIsOutside: boolean,
): Float32Array {
  const edge = edgeIsOutside ? 0 : INF;
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = inside[i] ? INF : 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      let v = d[i];
      v = Math.min(v, x > 0 ? d[i - 1] + 1 : edge + 1, y > 0 ? d[i - w] + 1 : edge + 1);
      v = Math.min(v, x > 0 && y > 0 ? d[i - w - 1] + DIAG : edge + DIAG);
      v = Math.min(v, x + 1 < w && y > 0 ? d[i - w + 1] + DIAG : edge + DIAG);
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      let v = d[i];
      v = Math.min(v, x + 1 < w ? d[i + 1] + 1 : edge + 1, y + 1 < h ? d[i + w] + 1 : edge + 1);
      v = Math.min(v, x + 1 < w && y + 1 < h ? d[i + w + 1] + DIAG : edge + DIAG);
      v = Math.min(v, x > 0 && y + 1 < h ? d[i + w - 1] + DIAG : edge + DIAG);
      d[i] = v;
    }
  }
  return d;
}

/**
 * Redraws grey ink (white on black, 0–255, `w`×`h`) so that its strokes are `targetWidth` pixels
 * wide once the ink's bounding box is fitted into `box` pixels (MNIST: 20). Returns the input
 * unchanged when there is too little ink to measure. Strokes are measured from the distance
 * transform: across a band of width W the distance to its edge averages W/4.
 */
export function normaliseStrokeWidth(
  grey: Uint8Array | Uint8ClampedArray,
  w: number,
  h: number,
  targetWidth = MNIST_STROKE_WIDTH,
  box = 20,
): Uint8ClampedArray | Uint8Array {
  const ink = new Uint8Array(w * h);
  const paper = new Uint8Array(w * h);
  let minX = w;
  let minY = h;
  let maxX = -1;
  let maxY = -1;
  let count = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (grey[i] >= 128) {
        ink[i] = 1;
        count++;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      } else paper[i] = 1;
    }
  }
  if (count < 4) return grey;
  const inside = distanceToOutside(ink, w, h, true);
  let sum = 0;
  for (let i = 0; i < inside.length; i++) if (ink[i]) sum += inside[i] - 0.5;
  const width = Math.max(1, (4 * sum) / count);
  const longest = Math.max(maxX - minX, maxY - minY) + 1;
  // Shrinking the ink by e on each side also shrinks the box by 2e; solve for the e at which
  // (width − 2e) · box / (longest − 2e) = targetWidth.
  const k = targetWidth / box;
  let twoE = (width - k * longest) / (1 - k);
  twoE = Math.min(twoE, width - 1); // never erase a stroke
  if (Math.abs(twoE) < 0.5) return grey;
  const outside = distanceToOutside(paper, w, h, false);
  const out = new Uint8ClampedArray(w * h);
  const e = twoE / 2;
  for (let i = 0; i < out.length; i++) {
    // Signed distance to the ink's edge: positive inside, negative outside.
    const signed = ink[i] ? inside[i] - 0.5 : 0.5 - outside[i];
    const v = signed - e + 0.5;
    out[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
  }
  return out;
}
