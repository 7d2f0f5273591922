// Makes the image fixtures under test/fixtures/ from the MNIST test set, reproducibly:
//   node --import tsx scripts/make-fixtures.ts
// three.bmp: a typical "3" of the test set (the one nearest the training 3s' mean, relative to
// the other digits' means), written as the tutorial's file is made, a 28×28 8-bit palette
// BMP with bottom-up rows, white digit on black. paper-2.jpg: the first "2", photo-like: dark ink
// on light, uneven, noisy paper, off-centre, 240×180. Plus files that must fail: empty, truncated,
// not an image, an oversized header, and one with no ink.
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { loadMnist } from "../src/data/mnist.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { createRng } from "../src/util/rng.ts";
import { encodeBmp, greyPalette } from "./lib/bmp-encoder.ts";

const OUT = "test/fixtures";
const { train, test } = await loadMnist();

/** Each digit's mean training image. */
function classMeans(): Float64Array[] {
  const means = Array.from({ length: 10 }, () => new Float64Array(784));
  const counts = new Float64Array(10);
  for (let i = 0; i < train.count; i++) {
    counts[train.labels[i]]++;
    const mean = means[train.labels[i]];
    for (let p = 0; p < 784; p++) mean[p] += train.images[i * 784 + p];
  }
  means.forEach((mean, d) => {
    for (let p = 0; p < 784; p++) mean[p] /= counts[d];
  });
  return means;
}

/** The test image of `label` whose distance to its own mean is smallest next to the others'. */
function mostTypical(label: number): Uint8Array {
  const means = classMeans();
  const distance = (i: number, mean: Float64Array) => {
    let sum = 0;
    for (let p = 0; p < 784; p++) sum += (test.images[i * 784 + p] - mean[p]) ** 2;
    return sum;
  };
  let best = -1;
  let bestMargin = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < test.count; i++) {
    if (test.labels[i] !== label) continue;
    const own = distance(i, means[label]);
    const other = Math.min(...means.filter((_, d) => d !== label).map((m) => distance(i, m)));
    if (other - own > bestMargin) {
      bestMargin = other - own;
      best = i;
    }
  }
  return test.images.slice(best * 784, (best + 1) * 784);
}

function firstOf(label: number): Uint8Array {
  const index = test.labels.indexOf(label);
  return test.images.slice(index * 784, (index + 1) * 784);
}

/** Bilinear sample of a 28×28 image at (x, y) in its pixel coordinates, 0 outside. */
function sample(image: Uint8Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const at = (px: number, py: number) =>
    px < 0 || py < 0 || px > 27 || py > 27 ? 0 : image[py * 28 + px];
  const fx = x - x0;
  const fy = y - y0;
  return (
    at(x0, y0) * (1 - fx) * (1 - fy) +
    at(x0 + 1, y0) * fx * (1 - fy) +
    at(x0, y0 + 1) * (1 - fx) * fy +
    at(x0 + 1, y0 + 1) * fx * fy
  );
}

/** A digit drawn in dark ink on a sheet of paper that is brighter on one side, with grain. */
function paperPhoto(digit: Uint8Array, width: number, height: number): Uint8Array {
  const rng = createRng(2024);
  const size = 110; // the digit's 28 px become 110
  const left = 30;
  const top = 45;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const paper = 200 + (40 * x) / width + (rng() - 0.5) * 12;
      const ink = sample(digit, ((x - left) * 28) / size - 0.5, ((y - top) * 28) / size - 0.5);
      const v = paper * (1 - (0.8 * ink) / 255);
      const p = (y * width + x) * 4;
      rgba[p] = Math.round(v * 0.95); // a little warm, like paper under lamp light
      rgba[p + 1] = Math.round(v * 0.93);
      rgba[p + 2] = Math.round(v * 0.85);
      rgba[p + 3] = 255;
    }
  }
  return rgba;
}

function png(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const image = new pngjs.PNG({ width, height });
  image.data.set(rgba);
  return pngjs.PNG.sync.write(image);
}

const three = encodeBmp({
  width: 28,
  height: 28,
  bitsPerPixel: 8,
  pixels: mostTypical(3),
  palette: greyPalette(),
});
await writeFileAtomic(`${OUT}/three.bmp`, three);

const photo = paperPhoto(firstOf(2), 240, 180);
const photoJpeg = jpeg.encode({ width: 240, height: 180, data: photo }, 90).data;
await writeFileAtomic(`${OUT}/paper-2.jpg`, photoJpeg);

const blank = png(64, 64, new Uint8Array(64 * 64 * 4).fill(255));
await writeFileAtomic(`${OUT}/errors/blank.png`, blank);
await writeFileAtomic(`${OUT}/errors/empty.png`, new Uint8Array(0));
const photoPng = png(240, 180, photo);
await writeFileAtomic(`${OUT}/errors/truncated.png`, photoPng.subarray(0, photoPng.length >> 1));
await writeFileAtomic(`${OUT}/errors/truncated.jpg`, photoJpeg.subarray(0, photoJpeg.length >> 1));
await writeFileAtomic(`${OUT}/errors/not-an-image.png`, new TextEncoder().encode("hello\n"));
// A header announcing 10000×6000 (60 megapixels) over a few bytes: refused before decoding.
const huge = three.slice(0, 1078 + 64);
new DataView(huge.buffer).setInt32(18, 10000, true);
new DataView(huge.buffer).setInt32(22, 6000, true);
await writeFileAtomic(`${OUT}/errors/huge.bmp`, huge);
console.log(`fixtures written to ${OUT}/`);
