import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMnist } from "../../src/data/mnist.ts";
import {
  inkBounds,
  preprocess,
  scaleToBox,
  toGrey,
  WORK_SIZE,
} from "../../src/recognize/preprocess.ts";
import { canvas, centre, seven, similarity, stroke, toRgba } from "./draw.ts";

const { test: mnist } = await loadMnist();
const digit = (i: number) => mnist.images.subarray(i * 784, (i + 1) * 784);

/** An MNIST digit enlarged `scale` times (nearest) onto a bigger canvas at (left, top). */
function placeDigit(
  image: Uint8Array,
  width: number,
  height: number,
  left: number,
  top: number,
  scale = 1,
): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < 28 * scale; y++) {
    for (let x = 0; x < 28 * scale; x++) {
      out[(top + y) * width + left + x] = image[Math.floor(y / scale) * 28 + Math.floor(x / scale)];
    }
  }
  return out;
}

/** The bounding box of the non-zero values of a 28×28 model input. */
function outputInkBox(input: Float32Array) {
  return inkBounds({
    data: Uint8Array.from(input, (v) => (v > 0 ? 1 : 0)),
    width: 28,
    height: 28,
  })!;
}

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

test("MNIST test digits come through almost unchanged (they were made by the same rules)", () => {
  for (let i = 0; i < 50; i++) {
    const original = Float32Array.from(digit(i), (v) => v / 255);
    const out = preprocess(digit(i), 28, 28);
    assert.ok(out, `digit ${i} has ink`);
    assert.equal(out.length, 784);
    assert.ok(meanAbsDiff(out, original) < 0.02, `digit ${i}: ${meanAbsDiff(out, original)}`);
  }
});

test("values are bytes / 255 between 0 and 1", () => {
  const out = preprocess(digit(0), 28, 28)!;
  for (const v of out) {
    assert.ok(v >= 0 && v <= 1);
    assert.ok(Math.abs(v * 255 - Math.round(v * 255)) < 1e-4);
  }
});

test("a shifted digit lands centred, the same wherever it was", () => {
  const outputs = [
    [5, 7],
    [60, 10],
    [100, 70],
    [0, 72],
  ].map(([left, top]) => {
    const out = preprocess(placeDigit(digit(3), 128, 100, left, top), 128, 100)!;
    const c = centre(out);
    assert.ok(Math.abs(c.x - 14) <= 0.5 && Math.abs(c.y - 14) <= 0.5, `centre ${c.x}, ${c.y}`);
    return out;
  });
  for (const out of outputs.slice(1)) assert.deepEqual(out, outputs[0]);
});

test("an off-centre drawing of any size is centred by mass", () => {
  const image = canvas(300, 200);
  stroke(image, seven(180, 20, 150), 12);
  const c = centre(preprocess(image.data, 300, 200)!);
  assert.ok(Math.abs(c.x - 14) <= 0.5 && Math.abs(c.y - 14) <= 0.5, `centre ${c.x}, ${c.y}`);
});

test("the longer side of the ink becomes 20 px, keeping the aspect ratio", () => {
  const tall = canvas(200, 200);
  stroke(tall, seven(60, 20, 160), 10); // about 0.7 × 1 of its height
  const out = preprocess(tall.data, 200, 200)!;
  const box = outputInkBox(out);
  assert.equal(box.bottom - box.top, 20);
  const width = box.right - box.left;
  assert.ok(width >= 13 && width <= 16, `width ${width}`);
});

test("a thick and a thin stroke give similar inputs", () => {
  const inputs = [2, 10].map((width) => {
    const image = canvas(200, 200);
    stroke(image, seven(40, 30, 140), width);
    return preprocess(image.data, 200, 200)!;
  });
  const other = canvas(200, 200);
  stroke(
    other,
    [
      [60, 30],
      [140, 30],
      [140, 170],
      [60, 170],
      [60, 30],
    ],
    2,
  );
  const zero = preprocess(other.data, 200, 200)!;
  const same = similarity(inputs[0], inputs[1]);
  assert.ok(same > 0.85, `thick vs thin: ${same}`);
  assert.ok(similarity(inputs[0], zero) < same - 0.5, "a different shape stays far apart");
});

test("inverted input (dark ink on light paper) gives the same result", () => {
  for (let i = 0; i < 10; i++) {
    const image = placeDigit(digit(i), 90, 70, 20, 15, 2);
    const inverted = image.map((v) => 255 - v);
    assert.deepEqual(preprocess(inverted, 90, 70), preprocess(image, 90, 70));
  }
});

test("photo-like: dark ink on uneven, noisy, tinted paper reads like the MNIST digit", () => {
  const image = placeDigit(digit(1), 200, 150, 110, 20, 3);
  const rgba = new Uint8Array(200 * 150 * 4);
  let seed = 7;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648 - 0.5) * 16;
  };
  for (let i = 0; i < 200 * 150; i++) {
    const paper = 190 + (50 * (i % 200)) / 200 + noise();
    const v = paper * (1 - (0.75 * image[i]) / 255);
    rgba.set([v, v * 0.95, v * 0.85, 255], i * 4);
  }
  const out = preprocess(rgba, 200, 150)!;
  const reference = preprocess(digit(1), 28, 28)!;
  assert.ok(similarity(out, reference) > 0.9, `similarity ${similarity(out, reference)}`);
  const c = centre(out);
  assert.ok(Math.abs(c.x - 14) <= 0.5 && Math.abs(c.y - 14) <= 0.5);
});

test("ink covering most of one side is still ink, not shading", () => {
  const image = new Uint8Array(50 * 50);
  for (let y = 0; y < 50; y++) image.fill(255, y * 50, y * 50 + 8);
  const out = preprocess(image, 50, 50);
  assert.ok(out, "found");
  assert.ok(out.reduce((a, b) => a + b, 0) > 50);
  assert.deepEqual(
    preprocess(
      image.map((v) => 255 - v),
      50,
      50,
    ),
    out,
    "and the inverse",
  );
});

test("a digit drawn out to two edges of the pad (ink on half the border) is still ink", () => {
  // A 7 as big as the pad: its bar along the top edge, its leg down the right edge.
  const pad = canvas(140, 140);
  stroke(
    pad,
    [
      [1, 1],
      [139, 1],
      [139, 139],
    ],
    14,
  );
  const out = preprocess(pad.data, 140, 140);
  assert.ok(out, "found");
  const mass = out.reduce((a, b) => a + b, 0);
  // The stroke, not the black background mistaken for ink (which would fill the 20×20 box).
  assert.ok(mass > 20 && mass < 120, `ink mass ${mass}`);
  assert.equal(out[27 * 28 + 0], 0, "the pad's black corner stays background");
});

test("an empty image is empty", () => {
  assert.equal(preprocess(new Uint8Array(28 * 28), 28, 28), null);
  assert.equal(preprocess(new Uint8Array(280 * 280).fill(255), 280, 280), null);
  assert.equal(preprocess(new Uint8Array(50 * 40).fill(128), 50, 40), null);
  assert.equal(preprocess(new Uint8Array(280 * 280 * 4), 280, 280), null, "fully transparent");
  const faint = Uint8Array.from({ length: 64 * 64 }, (_, i) => 200 + ((i * 7919) % 9));
  assert.equal(preprocess(faint, 64, 64), null, "paper grain only");
});

test("alpha-only ink works: dark or light ink on a transparent canvas", () => {
  const image = canvas(280, 280);
  stroke(image, seven(70, 50, 180), 16);
  const expected = preprocess(image.data, 280, 280);
  assert.ok(expected);
  for (const ink of [0, 255]) {
    const rgba = new Uint8Array(280 * 280 * 4);
    for (let i = 0; i < image.data.length; i++) rgba.set([ink, ink, ink, image.data[i]], i * 4);
    assert.deepEqual(preprocess(rgba, 280, 280), expected, `ink ${ink}`);
  }
  const blackOnWhite = toRgba(image.data.map((v) => 255 - v));
  assert.deepEqual(preprocess(blackOnWhite, 280, 280), expected, "opaque RGBA");
});

test("RGBA pixels at any byte offset read the same", () => {
  const image = canvas(120, 90);
  stroke(image, seven(30, 10, 70), 6);
  const rgba = toRgba(image.data);
  const shifted = new Uint8Array(rgba.length + 1).subarray(1);
  shifted.set(rgba);
  const expected = preprocess(rgba, 120, 90);
  assert.ok(expected);
  assert.deepEqual(preprocess(shifted, 120, 90), expected);
  assert.deepEqual(preprocess(new Uint8ClampedArray(rgba), 120, 90), expected);
});

test("a speck far from the digit is not part of it", () => {
  const clean = placeDigit(digit(2), 160, 120, 40, 30, 2);
  const specked = clean.slice();
  for (const [x, y] of [
    [150, 5],
    [151, 5],
    [150, 6],
  ]) {
    specked[y * 160 + x] = 255;
  }
  assert.deepEqual(preprocess(specked, 160, 120), preprocess(clean, 160, 120));
});

test("area averaging keeps a 1-px line (and the ink's mass)", () => {
  const width = 100;
  const data = new Uint8Array(width * width);
  for (let y = 0; y < width; y++) data[y * width + 37] = 255; // one column, 1 px wide
  data[0] = 255; // corners set the box to the whole image
  data[width * width - 1] = 255;
  const scaled = scaleToBox(
    { data, width, height: width },
    { left: 0, top: 0, right: width, bottom: width },
    20,
  );
  assert.equal(scaled.width, 20);
  const column = Math.floor(37 / 5);
  let mass = 0;
  for (let y = 0; y < 20; y++) {
    assert.ok(
      Math.abs(scaled.data[y * 20 + column] - 1 / 5) < 1e-6,
      "each cell covers 1/5 of the line",
    );
    for (let x = 0; x < 20; x++) mass += scaled.data[y * 20 + x];
  }
  assert.ok(Math.abs(mass * 25 - (width + 2)) < 1e-3, "area averaging keeps the total ink");

  // Through the whole pipeline: a 1-px outline of a large square still shows all four sides.
  const square = canvas(400, 400);
  stroke(
    square,
    [
      [50, 50],
      [350, 50],
      [350, 350],
      [50, 350],
      [50, 50],
    ],
    1,
  );
  const out = preprocess(square.data, 400, 400)!;
  const box = outputInkBox(out);
  const row = (y: number) => out.slice(y * 28, y * 28 + 28).reduce((a, b) => a + b, 0);
  const col = (x: number) => out.reduce((a, v, i) => (i % 28 === x ? a + v : a), 0);
  assert.equal(box.bottom - box.top, 20);
  for (const sum of [row(box.top), row(box.bottom - 1), col(box.left), col(box.right - 1)]) {
    assert.ok(sum > 10, `each side keeps a line of ink: ${sum}`);
  }
  assert.ok(row(14) < 2.5, "and the inside stays empty");
});

test("large images are shrunk by area averaging before the ink is found", () => {
  const grey = toGrey(new Uint8Array(1000 * 500).fill(255), 1000, 500);
  assert.ok(grey.width <= 2 * WORK_SIZE && grey.width >= WORK_SIZE);
  assert.equal(grey.data[0], 255);
  assert.throws(() => preprocess(new Uint8Array(10), 4, 4), RangeError);
});

test("the grey pass equals a pixel-by-pixel area average, runs of one colour or not", () => {
  // Runs of every length, crossing cell borders at every offset, mixed with single pixels and
  // partly transparent ones; sizes that leave partial cells on the right and bottom.
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state >>> 24;
  };
  for (const [width, height, factor] of [
    [281, 190, 3],
    [97, 50, 4],
    [40, 33, 1],
  ]) {
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; ) {
      const run = 1 + (next() % 13);
      const colour = [next(), next(), next(), next() < 200 ? 255 : next()];
      for (let k = 0; k < run && i < width * height; k++, i++) rgba.set(colour, i * 4);
    }
    const grey = toGrey(rgba, width, height, factor);
    // Reference: the alpha-weighted mean luma of each block, transparent parts as the opaque mean.
    const luma = (i: number) =>
      (19595 * rgba[i * 4] + 38470 * rgba[i * 4 + 1] + 7471 * rgba[i * 4 + 2] + 32768) >> 16;
    let lumaAlphaSum = 0;
    let alphaSum = 0;
    for (let i = 0; i < width * height; i++) {
      lumaAlphaSum += luma(i) * rgba[i * 4 + 3];
      alphaSum += rgba[i * 4 + 3];
    }
    const paper = lumaAlphaSum / alphaSum;
    for (let oy = 0; oy < grey.height; oy++) {
      for (let ox = 0; ox < grey.width; ox++) {
        let sum = 0;
        let area = 0;
        for (let y = oy * factor; y < Math.min(height, (oy + 1) * factor); y++) {
          for (let x = ox * factor; x < Math.min(width, (ox + 1) * factor); x++) {
            const i = y * width + x;
            const alpha = rgba[i * 4 + 3];
            sum += luma(i) * alpha + paper * (255 - alpha);
            area += 255;
          }
        }
        assert.equal(grey.data[oy * grey.width + ox], Math.round(sum / area), `${ox},${oy}`);
      }
    }
  }
});

test("grey bytes average the same way, and kept at their size they are their own levels", () => {
  let state = 11;
  const next = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state >>> 24;
  };
  for (const [width, height, factor] of [
    [97, 50, 4],
    [40, 33, 1],
  ]) {
    const grey = Uint8ClampedArray.from({ length: width * height }, next);
    const out = toGrey(grey, width, height, factor);
    for (let oy = 0; oy < out.height; oy++) {
      for (let ox = 0; ox < out.width; ox++) {
        let sum = 0;
        let area = 0;
        for (let y = oy * factor; y < Math.min(height, (oy + 1) * factor); y++) {
          for (let x = ox * factor; x < Math.min(width, (ox + 1) * factor); x++) {
            sum += grey[y * width + x];
            area++;
          }
        }
        assert.equal(out.data[oy * out.width + ox], Math.round(sum / area), `${ox},${oy}`);
      }
    }
    // A copy: the caller's pixels are not the image the later steps work on.
    assert.notEqual(out.data.buffer, grey.buffer);
  }
});
