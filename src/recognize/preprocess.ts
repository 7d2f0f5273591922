/**
 * Turns an image of one digit into the 784 inputs the models were trained on, following the rules
 * MNIST was made by: white ink on black, the ink's bounding box scaled (area averaging, aspect kept)
 * so its longer side is 20 px, placed in 28×28 with its centre of mass at the centre, values
 * byte / 255. Pure TypeScript (no Node, no DOM): the CLI and the web app share it.
 *
 * The steps, each its own exported function so that later work (real handwriting) can tune one
 * without touching the rest:
 *   toGrey             luminance, alpha composited, large images shrunk by area averaging
 *   estimateBackground the border's level (a plane, for uneven light) and noise
 *   flattenLighting    paper in a shadow no plane fits (a hand's, a phone's) brought to one level
 *   toInk              polarity from the image; ink strength above the background, or null
 *   suppressBackground noise floor, hysteresis (Otsu) and specks dropped
 *   inkBounds          the ink's bounding box
 *   scaleToBox         longer side to 20 px, area averaging, aspect ratio kept
 *   normalizeStrength  strokes to full strength, as MNIST's are
 *   centreByMass       into 28×28, centre of mass on pixel (14, 14)
 *   quantize           values byte / 255
 */
import { slidingFilter } from "./sliding-filter.ts";

/** Side of the model's input image. */
export const INPUT_SIZE = 28;
/** Side of the box the ink is scaled into (MNIST: 20 px inside 28). */
export const BOX_SIZE = 20;
/** Images larger than this (px, longer side) are shrunk, by a whole factor, before the ink is looked for. */
export const WORK_SIZE = 90;
/** The most the background may change across the image (0–1) to count as uneven lighting. */
export const MAX_SHADING = 0.25;
/**
 * When the border's level and the whole image's median differ by more than this (0–1), ink covers
 * half the border (a digit drawn out to the edges) and the image's median is the background.
 */
export const INK_ON_BORDER = 0.5;
/** Share of the border darker than SHADOW_DEPTH of the paper's level that means a shadow. */
export const SHADOW_SHARE = 0.05;
/** How much darker than the paper (share of its level) a border pixel must be to be in a shadow. */
export const SHADOW_DEPTH = 0.2;
/** Border noise around the plane beyond this many times the pixel-to-pixel noise: uneven light. */
export const UNEVEN_NOISE = 3;
/** The window the paper's local level is taken over, as a share of the image's longer side. */
export const LIGHTING_WINDOW = 0.15;
/** Ink contrast (0–1) below which an image counts as empty. */
export const MIN_CONTRAST = 0.1;
/** Pixels weaker than this share of the ink's strength are background. */
export const WEAK_FRACTION = 0.08;
/** Noise floor in multiples of the border's robust standard deviation. */
export const NOISE_SIGMAS = 4;
/** Ink blobs with less than this share of the largest blob's mass are specks. */
export const SPECK_FRACTION = 0.05;
/** Percentile (of non-zero pixels) that is scaled to full strength after resizing. */
export const STRENGTH_PERCENTILE = 0.9;

/** A single-channel image of bytes: grey levels, or ink strength (0 = none, 255 = full). */
export interface ByteImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A single-channel image of floats, 0–1. */
export interface GreyImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** Inclusive-exclusive pixel box: x in [left, right), y in [top, bottom). */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * The model's 784 inputs (row-major, white ink 1.0 on black 0.0, values byte / 255) for an RGBA
 * image (4 bytes a pixel) or a grey one (1 byte a pixel, when pixels.length === width * height);
 * null when the image has no ink.
 */
export function preprocess(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
): Float32Array | null {
  let grey = toGrey(pixels, width, height);
  let background = estimateBackground(grey);
  if (shadowed(grey, background)) {
    grey = flattenLighting(grey);
    background = estimateBackground(grey);
  }
  const ink = toInk(grey, background);
  if (!ink) return null;
  suppressBackground(ink, background.noise);
  const box = inkBounds(ink);
  if (!box) return null;
  const scaled = scaleToBox(ink, box, BOX_SIZE);
  normalizeStrength(scaled);
  const placed = centreByMass(scaled, INPUT_SIZE);
  return quantize(placed.data);
}

/**
 * The whole-number factor by which an image is shrunk (area averaging) before the ink is looked
 * for: large images are brought down to WORK_SIZE–2·WORK_SIZE px on their longer side, which keeps the
 * per-pixel steps cheap and is still several times the 20 px the ink ends up in.
 */
export function shrinkFactor(width: number, height: number): number {
  return Math.max(1, Math.floor(Math.max(width, height) / WORK_SIZE));
}

/**
 * Grey level (luminance, 0–255) of each pixel, shrunk by `factor` in each direction with area
 * averaging. Alpha counts: the image is composited over the background it implies. When most of
 * it is transparent (ink drawn on a clear canvas) the transparent part is the background and gets
 * the colour opposite to the ink's; when most is opaque, transparent margins take the colour of
 * the opaque part (the paper).
 */
export function toGrey(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  factor = shrinkFactor(width, height),
): ByteImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive whole numbers, got ${width}×${height}`);
  }
  const n = width * height;
  const channels = pixels.length === n ? 1 : 4;
  if (pixels.length !== n * channels) {
    throw new RangeError(
      `expected ${n} grey or ${n * 4} RGBA bytes for ${width}×${height}, got ${pixels.length}`,
    );
  }
  // Grey bytes kept at their size are their own grey levels (every pixel opaque): a copy. The
  // number splitter's candidate digits (10–20 per number) all come this way.
  if (channels === 1 && factor === 1) return { data: new Uint8Array(pixels), width, height };
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  // Per output pixel: the sum of alpha-premultiplied luma (0–255²), of alpha, and the area.
  const premultiplied = new Float64Array(outWidth * outHeight);
  const alphas = new Float64Array(outWidth * outHeight);
  if (channels === 1) accumulateGrey(pixels, width, height, factor, premultiplied, alphas);
  else accumulateRgba(pixels, width, height, factor, premultiplied, alphas);
  let alphaSum = 0;
  let premultipliedSum = 0;
  for (let o = 0; o < alphas.length; o++) {
    alphaSum += alphas[o];
    premultipliedSum += premultiplied[o];
  }
  const opaqueLuma = alphaSum > 0 ? premultipliedSum / alphaSum : 0;
  const mostlyClear = alphaSum < (255 * n) / 2;
  const background = mostlyClear ? (opaqueLuma < 128 ? 255 : 0) : opaqueLuma;
  const data = new Uint8Array(outWidth * outHeight);
  // Every pixel opaque (a canvas, a photo): nothing to composite, which saves half the work.
  const opaque = alphaSum === 255 * n;
  for (let oy = 0, o = 0; oy < outHeight; oy++) {
    const rows = Math.min(height, (oy + 1) * factor) - oy * factor;
    for (let ox = 0; ox < outWidth; ox++, o++) {
      const full = 255 * rows * (Math.min(width, (ox + 1) * factor) - ox * factor);
      data[o] = opaque
        ? Math.round(premultiplied[o] / full)
        : Math.round((premultiplied[o] + background * (full - alphas[o])) / full);
    }
  }
  return { data, width: outWidth, height: outHeight };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Sums alpha-premultiplied luma and alpha of RGBA pixels over factor×factor blocks. The hot loop
 * of the whole preprocessing: it reads each pixel as one 32-bit word where it can — a signed one,
 * since V8 keeps Int32Array values as small integers but turns Uint32Array values ≥ 2³¹ (every
 * opaque pixel) into doubles, which made this loop several times slower.
 */
function accumulateRgba(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  factor: number,
  premultiplied: Float64Array,
  alphas: Float64Array,
): void {
  const aligned = LITTLE_ENDIAN && pixels.byteOffset % 4 === 0;
  // A copy costs less than reading bytes one by one when the pixels are not 4-byte aligned.
  const words = aligned
    ? new Int32Array(pixels.buffer, pixels.byteOffset, width * height)
    : new Int32Array(Uint8Array.from(pixels).buffer);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      words[i] =
        ((w & 255) << 24) | (((w >>> 8) & 255) << 16) | (((w >>> 16) & 255) << 8) | (w >>> 24);
    }
  }
  const outWidth = Math.ceil(width / factor);
  // Drawings and scans are mostly runs of one colour, so each row is walked run by run: finding
  // a run's end is a tight compare loop, and its products are added once per output cell it covers.
  for (let y = 0; y < height; y++) {
    const outRow = ((y / factor) | 0) * outWidth;
    const rowStart = y * width;
    const rowEnd = rowStart + width;
    for (let i = rowStart; i < rowEnd; ) {
      const word = words[i];
      let runEnd = i + 1;
      while (runEnd < rowEnd && words[runEnd] === word) runEnd++;
      const alpha = word >>> 24;
      // Rec. 601 luma in 16-bit fixed point, as MNIST-era greyscale conversions used.
      const luma =
        (19595 * (word & 255) +
          38470 * ((word >>> 8) & 255) +
          7471 * ((word >>> 16) & 255) +
          32768) >>
        16;
      const lumaAlpha = luma * alpha;
      // The run's first cell (maybe partly covered), the cells it covers whole, its last cell.
      let x = i - rowStart;
      const xEnd = runEnd - rowStart;
      let cell = (x / factor) | 0;
      const cellEnd = Math.min(xEnd, (cell + 1) * factor);
      premultiplied[outRow + cell] += lumaAlpha * (cellEnd - x);
      alphas[outRow + cell] += alpha * (cellEnd - x);
      x = cellEnd;
      cell++;
      const lumaAlphaCell = lumaAlpha * factor;
      const alphaCell = alpha * factor;
      for (; x + factor <= xEnd; x += factor, cell++) {
        premultiplied[outRow + cell] += lumaAlphaCell;
        alphas[outRow + cell] += alphaCell;
      }
      if (x < xEnd) {
        premultiplied[outRow + cell] += lumaAlpha * (xEnd - x);
        alphas[outRow + cell] += alpha * (xEnd - x);
      }
      i = runEnd;
    }
  }
}

/** The same for one grey byte a pixel, every pixel opaque. */
function accumulateGrey(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  factor: number,
  premultiplied: Float64Array,
  alphas: Float64Array,
): void {
  const outWidth = Math.ceil(width / factor);
  for (let y = 0; y < height; y++) {
    const outRow = ((y / factor) | 0) * outWidth;
    let i = y * width;
    for (let ox = 0; ox < outWidth; ox++) {
      const end = y * width + Math.min(width, (ox + 1) * factor);
      const count = end - i;
      let sum = 0;
      for (; i < end; i++) sum += pixels[i];
      premultiplied[outRow + ox] += sum * 255;
      alphas[outRow + ox] += count * 255;
    }
  }
}

/** Median of a 256-bin histogram holding `count` values. */
function histogramMedian(hist: Uint32Array, count: number): number {
  let seen = 0;
  for (let b = 0; b < 256; b++) {
    seen += hist[b];
    if (2 * seen >= count) return b;
  }
  return 255;
}

/**
 * The background as its border shows it (0–255 units): a plane, level + gradientX·(x − centreX) +
 * gradientY·(y − centreY), so that paper lit unevenly (brighter on one side) is still one
 * background; and the noise around it.
 */
export interface Background {
  level: number;
  gradientX: number;
  gradientY: number;
  /** Robust standard deviation (1.4826 × median absolute deviation) of the border around it. */
  noise: number;
}

/** The background level at (x, y) of an image of the given size. */
export function backgroundAt(b: Background, x: number, y: number, width: number, height: number) {
  return b.level + b.gradientX * (x - (width - 1) / 2) + b.gradientY * (y - (height - 1) / 2);
}

/** Histogram of `count` bytes of `data`, from `start`, `step` apart (a row, a column, or all). */
function lineHistogram(data: Uint8Array, start: number, step: number, count: number): Uint32Array {
  const hist = new Uint32Array(256);
  for (let k = 0, i = start; k < count; k++, i += step) hist[data[i]]++;
  return hist;
}

/**
 * The outermost ring of pixels is where the background shows in any sensible picture of a digit:
 * the medians of its four sides give the plane (medians, so ink touching a side does not count),
 * the spread of the ring around that plane the noise.
 */
export function estimateBackground(image: ByteImage): Background {
  const { data, width, height } = image;
  const top = lineHistogram(data, 0, 1, width);
  const bottom = lineHistogram(data, (height - 1) * width, 1, width);
  const left = lineHistogram(data, 0, width, height);
  const right = lineHistogram(data, width - 1, width, height);
  const ring = new Uint32Array(256);
  for (let b = 0; b < 256; b++) ring[b] = top[b] + bottom[b] + left[b] + right[b];
  const ringCount = 2 * (width + height);
  const level = histogramMedian(ring, ringCount);
  const whole = backgroundFromWholeImage(data);
  if (Math.abs(level - whole.level) > INK_ON_BORDER * 255) return whole;
  // A difference larger than lighting makes means ink covers most of a side: keep that axis flat.
  const slope = (near: Uint32Array, far: Uint32Array, count: number, span: number) => {
    const rise = histogramMedian(far, count) - histogramMedian(near, count);
    return span > 0 && Math.abs(rise) <= MAX_SHADING * 255 ? rise / span : 0;
  };
  const gradientX = slope(left, right, height, width - 1);
  const gradientY = slope(top, bottom, width, height - 1);
  const plane = { level, gradientX, gradientY, noise: 0 };
  const deviations = new Uint32Array(256);
  const deviate = (i: number, x: number, y: number) => {
    const deviation = Math.abs(data[i] - backgroundAt(plane, x, y, width, height));
    deviations[Math.min(255, Math.round(deviation))]++;
  };
  for (let x = 0; x < width; x++) {
    deviate(x, x, 0);
    deviate((height - 1) * width + x, x, height - 1);
  }
  for (let y = 0; y < height; y++) {
    deviate(y * width, 0, y);
    deviate(y * width + width - 1, width - 1, y);
  }
  return { ...plane, noise: 1.4826 * histogramMedian(deviations, ringCount) };
}

/**
 * Whether light paper is shadowed in a way no plane fits: more than SHADOW_SHARE of the border
 * is SHADOW_DEPTH darker than the plane there (a hard-edged shadow over a corner or a side), or
 * the border strays from the plane UNEVEN_NOISE times more than its neighbouring pixels differ
 * (light falling off across a wide sheet faster than MAX_SHADING lets a plane follow: the noise
 * floor would then rise above the ink and nothing would be found).
 */
export function shadowed(image: ByteImage, background: Background): boolean {
  const { data, width, height } = image;
  if (background.level < 96) return false; // not light paper (a drawing, a negative)
  if (background.noise > UNEVEN_NOISE * Math.max(1, ringNeighbourNoise(image))) return true;
  let dark = 0;
  let count = 0;
  const check = (i: number, x: number, y: number) => {
    count++;
    if (data[i] < (1 - SHADOW_DEPTH) * backgroundAt(background, x, y, width, height)) dark++;
  };
  for (let x = 0; x < width; x++) {
    check(x, x, 0);
    check((height - 1) * width + x, x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    check(y * width, 0, y);
    check(y * width + width - 1, width - 1, y);
  }
  return dark > SHADOW_SHARE * count;
}

/**
 * The sensor's noise as the border shows it apart from any shading: the robust spread of the
 * differences between neighbouring pixels along the outermost ring (shading changes slowly along
 * it, and ink crosses it rarely enough not to move a median).
 */
export function ringNeighbourNoise(image: ByteImage): number {
  const { data, width, height } = image;
  const hist = new Uint32Array(256);
  let count = 0;
  const step = (a: number, b: number) => {
    hist[Math.abs(data[a] - data[b])]++;
    count++;
  };
  for (let x = 1; x < width; x++) {
    step(x, x - 1);
    step((height - 1) * width + x, (height - 1) * width + x - 1);
  }
  for (let y = 1; y < height; y++) {
    step(y * width, (y - 1) * width);
    step(y * width + width - 1, (y - 1) * width + width - 1);
  }
  if (count === 0) return 0;
  return (1.4826 * histogramMedian(hist, count)) / Math.SQRT2;
}

/**
 * Divides the image by the paper's local level, so that paper reads 255 in the light and in the
 * shadow alike. The local level is a grey closing (a maximum, then a minimum, over a square of
 * LIGHTING_WINDOW of the longer side): strokes narrower than the window vanish from it, while a
 * shadow's edge, wider than any stroke, stays where it is.
 */
export function flattenLighting(image: ByteImage): ByteImage {
  const { data, width, height } = image;
  const radius = Math.max(1, Math.round((LIGHTING_WINDOW * Math.max(width, height)) / 2));
  const paper = slidingFilter(
    slidingFilter(data, width, height, radius, Math.max),
    width,
    height,
    radius,
    Math.min,
  );
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    out[i] = Math.min(255, Math.round((data[i] * 255) / Math.max(1, paper[i])));
  }
  return { data: out, width, height };
}

/**
 * A flat background at the median of all pixels, and the noise around it: right as long as ink
 * covers less than half of the image, which holds for a digit even where it covers the border.
 */
function backgroundFromWholeImage(data: Uint8Array): Background {
  const hist = lineHistogram(data, 0, 1, data.length);
  const level = histogramMedian(hist, data.length);
  const deviations = new Uint32Array(256);
  for (let v = 0; v < 256; v++) deviations[Math.abs(v - level)] += hist[v];
  return {
    level,
    gradientX: 0,
    gradientY: 0,
    noise: 1.4826 * histogramMedian(deviations, data.length),
  };
}

/**
 * Ink strength of each pixel (0–255), white ink on black: the distance from the background
 * towards the ink's side. Polarity comes from the image: when the image strays further below
 * the background than above it, the ink is dark (ink on paper) and is inverted.
 * Returns null when the ink is too faint to be there at all.
 */
export function toInk(grey: ByteImage, background: Background): ByteImage | null {
  const { data, width, height } = grey;
  const { gradientX } = background;
  // First pass: how far the image strays below and above the background.
  let lo = 0;
  let hi = 0;
  for (let y = 0; y < height; y++) {
    let level = backgroundAt(background, 0, y, width, height);
    for (let i = y * width, end = i + width; i < end; i++, level += gradientX) {
      const v = data[i] - level;
      if (v < lo) lo = v;
      else if (v > hi) hi = v;
    }
  }
  const darkInk = -lo > hi;
  if ((darkInk ? -lo : hi) < MIN_CONTRAST * 255) return null;
  // Second pass: the ink, on the side the ink is on (the Uint8ClampedArray clips below 0).
  const sign = darkInk ? -1 : 1;
  const ink = new Uint8ClampedArray(data.length);
  for (let y = 0; y < height; y++) {
    let level = backgroundAt(background, 0, y, width, height);
    for (let i = y * width, end = i + width; i < end; i++, level += gradientX) {
      ink[i] = sign * (data[i] - level);
    }
  }
  return { data: new Uint8Array(ink.buffer), width, height };
}

/** Otsu's threshold (maximises between-class variance) of a 256-bin histogram. */
export function otsuThreshold(hist: Uint32Array): number {
  let total = 0;
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    total += hist[b];
    sum += b * hist[b];
  }
  let countBelow = 0;
  let sumBelow = 0;
  let best = 0;
  let bestVariance = -1;
  for (let b = 0; b < 255; b++) {
    countBelow += hist[b];
    sumBelow += b * hist[b];
    const countAbove = total - countBelow;
    if (countBelow === 0 || countAbove === 0) continue;
    const meanBelow = sumBelow / countBelow;
    const meanAbove = (sum - sumBelow) / countAbove;
    const variance = countBelow * countAbove * (meanBelow - meanAbove) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = b;
    }
  }
  return best + 1;
}

/**
 * Zeroes background and faint noise in place, keeping the anti-aliased grey edges of real ink:
 * pixels above the noise floor stay only if they belong to a connected blob (8-neighbours) that
 * holds some strong ink (at or above Otsu's threshold) and is not a speck beside the largest blob.
 */
export function suppressBackground(ink: ByteImage, noise: number): void {
  const { data, width, height } = ink;
  const n = data.length;
  const hist = new Uint32Array(256);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    hist[v]++;
    if (v > max) max = v;
  }
  const floor = Math.max(WEAK_FRACTION * max, NOISE_SIGMAS * noise);
  const strong = Math.max(otsuThreshold(hist), floor);

  // Label the blobs of pixels above the floor with a flood fill.
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  const masses: number[] = [0];
  const hasStrong: boolean[] = [false];
  for (let start = 0; start < n; start++) {
    if (data[start] <= floor || labels[start] !== 0) continue;
    const label = masses.length;
    let mass = 0;
    let strongSeen = false;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const i = stack[--top];
      const v = data[i];
      mass += v;
      if (v >= strong) strongSeen = true;
      const y = Math.floor(i / width);
      const x = i - y * width;
      const x0 = x > 0 ? x - 1 : x;
      const x1 = x < width - 1 ? x + 1 : x;
      const y0 = y > 0 ? y - 1 : y;
      const y1 = y < height - 1 ? y + 1 : y;
      for (let ny = y0; ny <= y1; ny++) {
        for (let j = ny * width + x0, end = ny * width + x1; j <= end; j++) {
          if (labels[j] === 0 && data[j] > floor) {
            labels[j] = label;
            stack[top++] = j;
          }
        }
      }
    }
    masses.push(mass);
    hasStrong.push(strongSeen);
  }
  let largest = 0;
  for (let l = 1; l < masses.length; l++)
    if (hasStrong[l] && masses[l] > largest) largest = masses[l];
  const keep = Uint8Array.from(masses, (mass, l) =>
    l > 0 && hasStrong[l] && mass >= SPECK_FRACTION * largest ? 1 : 0,
  );
  // Pixels above the floor are exactly the labelled ones: when every blob stays, the floor alone
  // says what goes (the common case, and cheaper than looking up each pixel's blob).
  if (keep.indexOf(0, 1) === -1) {
    for (let i = 0; i < n; i++) if (data[i] <= floor) data[i] = 0;
  } else {
    for (let i = 0; i < n; i++) if (keep[labels[i]] === 0) data[i] = 0;
  }
}

/** The smallest box holding every non-zero pixel, or null when there is none. */
export function inkBounds(image: ByteImage): Box | null {
  const { data, width, height } = image;
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (data[row + x] > 0) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        bottom = y;
      }
    }
  }
  if (right < 0) return null;
  return { left, top, right: right + 1, bottom: bottom + 1 };
}

/**
 * For each of `outSize` output cells spread evenly over `inSize` source pixels, the source pixels
 * it covers and by how much (fractions that add up to 1): a box filter with fractional coverage.
 */
function areaWeights(inSize: number, outSize: number): { index: number[]; weight: number[] }[] {
  const step = inSize / outSize;
  const cells = [];
  for (let o = 0; o < outSize; o++) {
    const from = o * step;
    const to = from + step;
    const index: number[] = [];
    const weight: number[] = [];
    for (let s = Math.floor(from); s < Math.min(inSize, Math.ceil(to)); s++) {
      const overlap = Math.min(to, s + 1) - Math.max(from, s);
      if (overlap > 1e-9) {
        index.push(s);
        weight.push(overlap / step);
      }
    }
    cells.push({ index, weight });
  }
  return cells;
}

/**
 * Scales the box's contents so that the longer side becomes `size` pixels, keeping the aspect
 * ratio, by area averaging: each output pixel is the mean of the source area it covers, so a thin
 * stroke fades to grey rather than vanishing between samples.
 */
export function scaleToBox(image: ByteImage, box: Box, size: number): GreyImage {
  const boxWidth = box.right - box.left;
  const boxHeight = box.bottom - box.top;
  const scale = size / Math.max(boxWidth, boxHeight);
  const width = Math.max(1, Math.min(size, Math.round(boxWidth * scale)));
  const height = Math.max(1, Math.min(size, Math.round(boxHeight * scale)));
  const columns = areaWeights(boxWidth, width);
  const rows = areaWeights(boxHeight, height);

  // Horizontal pass over each source row of the box, then vertical pass.
  const across = new Float32Array(boxHeight * width);
  for (let y = 0; y < boxHeight; y++) {
    const source = (box.top + y) * image.width + box.left;
    for (let x = 0; x < width; x++) {
      const { index, weight } = columns[x];
      let sum = 0;
      for (let k = 0; k < index.length; k++) sum += image.data[source + index[k]] * weight[k];
      across[y * width + x] = sum / 255;
    }
  }
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const { index, weight } = rows[y];
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < index.length; k++) sum += across[index[k] * width + x] * weight[k];
      data[y * width + x] = sum;
    }
  }
  return { data, width, height };
}

/**
 * Scales values in place so that strokes reach full strength (MNIST strokes are saturated): the
 * given percentile of the non-zero pixels becomes 1, anything above is clipped. Thin or pale ink,
 * greyed by scaling, comes out like thick black ink.
 */
export function normalizeStrength(image: GreyImage, percentile = STRENGTH_PERCENTILE): void {
  const { data } = image;
  const nonZero = data.filter((v) => v > 0).sort();
  if (nonZero.length === 0) return;
  const level = nonZero[Math.min(nonZero.length - 1, Math.floor(percentile * nonZero.length))];
  if (level <= 0) return;
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, data[i] / level);
}

/** Centre of mass in pixel-index coordinates (pixel (x, y) sits at x, y). */
export function centreOfMass(image: GreyImage): { x: number; y: number } | null {
  const { data, width, height } = image;
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x];
      mass += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return mass > 0 ? { x: sx / mass, y: sy / mass } : null;
}

/**
 * Places the image in a size×size square, shifted by whole pixels so that its centre of mass lands
 * on pixel (size/2, size/2), i.e. (14, 14) — where MNIST's digits have theirs; whatever the shift
 * pushes past the edge is clipped.
 */
export function centreByMass(image: GreyImage, size: number): GreyImage {
  const out = new Float32Array(size * size);
  const centre = centreOfMass(image) ?? { x: (image.width - 1) / 2, y: (image.height - 1) / 2 };
  const dx = Math.round(size / 2 - centre.x);
  const dy = Math.round(size / 2 - centre.y);
  for (let y = 0; y < image.height; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= size) continue;
    for (let x = 0; x < image.width; x++) {
      const tx = x + dx;
      if (tx < 0 || tx >= size) continue;
      out[ty * size + tx] = image.data[y * image.width + x];
    }
  }
  return { data: out, width: size, height: size };
}

/** Rounds values to whole bytes / 255, the precision MNIST's inputs have, in place. */
export function quantize(values: Float32Array): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] = Math.round(values[i] * 255) / 255;
  return values;
}
