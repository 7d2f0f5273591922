// The app's icons, drawn in code (no binary files in the repository): a white "7" on black,
// anti-aliased by distance to its two strokes, in the sizes the manifest and iOS ask for.
import { PNG } from "pngjs";

type Segment = [number, number, number, number];

// In units of the icon's side; kept inside the central 80% so the maskable icon's safe zone holds it.
const SEVEN: Segment[] = [
  [0.3, 0.3, 0.7, 0.3],
  [0.7, 0.3, 0.44, 0.74],
];
const STROKE = 0.1;

function distanceToSegment(px: number, py: number, [x1, y1, x2, y2]: Segment): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

/** A size×size PNG of the icon. */
export function iconPng(size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const v = (y + 0.5) / size;
      const d = Math.min(...SEVEN.map((s) => distanceToSegment(u, v, s)));
      // Coverage falls from 1 to 0 over one pixel at the stroke's edge.
      const coverage = Math.max(0, Math.min(1, (STROKE / 2 - d) * size + 0.5));
      const value = Math.round(17 + coverage * (255 - 17));
      const i = (y * size + x) * 4;
      png.data[i] = value;
      png.data[i + 1] = value;
      png.data[i + 2] = value;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

export const ICON_SIZES = [180, 192, 512] as const;
