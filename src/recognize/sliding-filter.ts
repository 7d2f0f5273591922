// Square maximum and minimum filters, for the paper's level under ink and shadows (preprocessing
// and the number splitter).

/**
 * A square maximum or minimum filter (±radius, clipped at the edges), separable, each pass in
 * time linear in the pixels whatever the radius (van Herk / Gil-Werman: running extremes over
 * blocks of 2·radius + 1 from the left and from the right).
 */
export function slidingFilter(
  data: Uint8Array,
  width: number,
  height: number,
  radius: number,
  pick: (a: number, b: number) => number,
): Uint8Array {
  const rows = new Uint8Array(data.length);
  const line = new Uint8Array(Math.max(width, height));
  const result = new Uint8Array(Math.max(width, height));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) line[x] = data[y * width + x];
    extremeLine(line, width, radius, pick, result);
    for (let x = 0; x < width; x++) rows[y * width + x] = result[x];
  }
  const out = new Uint8Array(data.length);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) line[y] = rows[y * width + x];
    extremeLine(line, height, radius, pick, result);
    for (let y = 0; y < height; y++) out[y * width + x] = result[y];
  }
  return out;
}

/** out[i] = pick over line[i − radius … i + radius] (within [0, n)). */
function extremeLine(
  line: Uint8Array,
  n: number,
  radius: number,
  pick: (a: number, b: number) => number,
  out: Uint8Array,
): void {
  // The line padded with `radius` values that never win (0 for a maximum, 255 for a minimum), so
  // that every window is a whole block long and meets at most two blocks: one running extreme
  // from the right of the first and one from the left of the second then cover it exactly.
  const block = 2 * radius + 1;
  const size = n + 2 * radius;
  const neutral = pick(0, 255) === 255 ? 0 : 255;
  const padded = new Uint8Array(size).fill(neutral);
  padded.set(line.subarray(0, n), radius);
  const fromLeft = new Uint8Array(size);
  const fromRight = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    fromLeft[i] = i % block === 0 ? padded[i] : pick(fromLeft[i - 1], padded[i]);
  }
  for (let i = size - 1; i >= 0; i--) {
    fromRight[i] =
      i === size - 1 || (i + 1) % block === 0 ? padded[i] : pick(fromRight[i + 1], padded[i]);
  }
  for (let i = 0; i < n; i++) out[i] = pick(fromRight[i], fromLeft[i + 2 * radius]);
}
