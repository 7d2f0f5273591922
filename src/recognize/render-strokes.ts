/** A stroke in pixels: [x, y] points, y growing downwards. */
export type PixelPath = [number, number][];

/**
 * The app's pad smooths each stroke with quadratic curves through the midpoints of its points
 * (web/pad.ts): start at the first point, curve with each point as control to the midpoint after
 * it, straight to the last. This flattens those curves into short line segments.
 */
export function smoothPath(path: PixelPath, pieces = 4): PixelPath {
  if (path.length < 3) return path;
  const out: PixelPath = [path[0]];
  let from = path[0];
  for (let i = 1; i < path.length - 1; i++) {
    const [cx, cy] = path[i];
    const to: [number, number] = [(cx + path[i + 1][0]) / 2, (cy + path[i + 1][1]) / 2];
    for (let k = 1; k <= pieces; k++) {
      const t = k / pieces;
      const u = 1 - t;
      out.push([
        u * u * from[0] + 2 * u * t * cx + t * t * to[0],
        u * u * from[1] + 2 * u * t * cy + t * t * to[1],
      ]);
    }
    from = to;
  }
  out.push(path[path.length - 1]);
  return out;
}

/**
 * Draws paths the way the app's canvas does: white round-capped, round-joined lines of `penWidth`
 * pixels on black, anti-aliased (coverage ≈ how much of a pixel the pen covers), each path
 * smoothed as the pad smooths it. Pure TypeScript, so Node and the browser draw the same pixels.
 * Returns one grey byte per pixel, row-major, `width`×`height`.
 */
export function renderPathsInto(
  paths: PixelPath[],
  width: number,
  height: number,
  penWidth: number,
  smooth = true,
): Uint8ClampedArray {
  const coverage = new Float32Array(width * height);
  const r = penWidth / 2;
  for (const raw of paths) {
    const path = smooth ? smoothPath(raw) : raw;
    if (path.length === 1) stampSegment(coverage, width, height, r, path[0], path[0]);
    for (let i = 1; i < path.length; i++) {
      stampSegment(coverage, width, height, r, path[i - 1], path[i]);
    }
  }
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(coverage[i] * 255);
  return out;
}

/** The same into a `size`×`size` square. */
export function renderPaths(
  paths: PixelPath[],
  size: number,
  penWidth: number,
  smooth = true,
): Uint8ClampedArray {
  return renderPathsInto(paths, size, size, penWidth, smooth);
}

/** Ink of one capsule (a segment with round ends); the union of capsules is the stroke. */
function stampSegment(
  coverage: Float32Array,
  width: number,
  height: number,
  r: number,
  [ax, ay]: [number, number],
  [bx, by]: [number, number],
): void {
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + r + 1));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + r + 1));
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
      t = t < 0 ? 0 : Math.min(t, 1);
      const ex = px - (ax + t * dx);
      const ey = py - (ay + t * dy);
      const c = r + 0.5 - Math.sqrt(ex * ex + ey * ey);
      if (c <= 0) continue;
      const v = Math.min(c, 1);
      const k = y * width + x;
      if (v > coverage[k]) coverage[k] = v;
    }
  }
}
