/** Test images drawn from strokes: anti-aliased round-capped segments on a grey canvas. */
export type Point = [number, number];

export interface Canvas {
  width: number;
  height: number;
  /** Grey, one byte a pixel, 255 = white. */
  data: Uint8Array;
}

export function canvas(width: number, height: number, background = 0): Canvas {
  return { width, height, data: new Uint8Array(width * height).fill(background) };
}

function distanceToSegment(px: number, py: number, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  const t =
    length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / length2));
  return Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy));
}

/** Draws a polyline of the given width in `ink` (0–255), blending its edge over one pixel. */
export function stroke(target: Canvas, points: Point[], width: number, ink = 255): void {
  const { data } = target;
  for (let y = 0; y < target.height; y++) {
    for (let x = 0; x < target.width; x++) {
      let d = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < points.length; i++) {
        d = Math.min(d, distanceToSegment(x + 0.5, y + 0.5, points[i], points[i + 1]));
      }
      const cover = Math.max(0, Math.min(1, width / 2 - d + 0.5));
      if (cover > 0) {
        const i = y * target.width + x;
        data[i] = Math.round(data[i] * (1 - cover) + ink * cover);
      }
    }
  }
}

/** A "7": a top bar and a long diagonal, scaled into a box at (left, top) of the given size. */
export function seven(left: number, top: number, size: number): Point[] {
  return [
    [left, top],
    [left + 0.7 * size, top],
    [left + 0.25 * size, top + size],
  ];
}

/** Grey to RGBA, every pixel opaque. */
export function toRgba(grey: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(grey.length * 4);
  for (let i = 0; i < grey.length; i++) {
    rgba.fill(grey[i], i * 4, i * 4 + 3);
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** Centre of mass of 28×28 inputs in pixel-index coordinates. */
export function centre(input: Float32Array): { x: number; y: number } {
  let mass = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < input.length; i++) {
    mass += input[i];
    x += input[i] * (i % 28);
    y += input[i] * Math.floor(i / 28);
  }
  return { x: x / mass, y: y / mass };
}

/** Cosine similarity of two input vectors (1 = same up to scale). */
export function similarity(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}
