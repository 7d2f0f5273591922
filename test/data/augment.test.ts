import assert from "node:assert/strict";
import { test } from "node:test";
import { augmentBatch } from "../../src/data/augment.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { createRng } from "../../src/util/rng.ts";

const COUNT = 64;

async function batch(): Promise<Float32Array> {
  const { test: set } = await loadMnist();
  return Float32Array.from(set.images.subarray(0, COUNT * 784), (v) => v / 255);
}

function stats(x: Float32Array) {
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < 784; i++) {
    mass += x[i];
    cx += x[i] * (i % 28);
    cy += x[i] * Math.floor(i / 28);
  }
  return { mass, cx: cx / mass, cy: cy / mass };
}

function correlation(a: Float32Array, b: Float32Array): number {
  const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

test("augmentation is seeded: same seed, same images; another seed, other images", async () => {
  const original = await batch();
  const a = original.slice();
  const b = original.slice();
  const c = original.slice();
  augmentBatch(a, COUNT, createRng(5));
  augmentBatch(b, COUNT, createRng(5));
  augmentBatch(c, COUNT, createRng(6));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.notDeepEqual(a, original, "images were changed");
});

/** A 5×5 box blur: similarity of shapes rather than of exact pixels (a 1 px shift is no change). */
function blur(x: Float32Array): Float32Array {
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x0 = 0; x0 < 28; x0++) {
      let sum = 0;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const yy = y + dy;
          const xx = x0 + dx;
          if (yy >= 0 && yy < 28 && xx >= 0 && xx < 28) sum += x[yy * 28 + xx];
        }
      }
      out[y * 28 + x0] = sum;
    }
  }
  return out;
}

test("augmented images stay in 0–1 and recognisably the same digit, near the centre", async () => {
  const original = await batch();
  const { test: set } = await loadMnist();
  const changed = original.slice();
  augmentBatch(changed, COUNT, createRng(1));
  let nearerItself = 0;
  for (const v of changed) assert.ok(v >= 0 && v <= 1, `value ${v} out of range`);
  let sumCorrelation = 0;
  for (let n = 0; n < COUNT; n++) {
    const before = original.subarray(n * 784, (n + 1) * 784);
    const after = changed.subarray(n * 784, (n + 1) * 784);
    sumCorrelation += correlation(blur(before), blur(after));
    const s0 = stats(before);
    const s1 = stats(after);
    assert.ok(s1.mass > 0.4 * s0.mass && s1.mass < 2.2 * s0.mass, `ink ${s0.mass} → ${s1.mass}`);
    assert.ok(Math.hypot(s1.cx - s0.cx, s1.cy - s0.cy) < 5, "centre of mass moved too far");
    // More like its original than like the next digit of another kind in the batch.
    let m = (n + 1) % COUNT;
    while (set.labels[m] === set.labels[n]) m = (m + 1) % COUNT;
    const other = original.subarray(m * 784, (m + 1) * 784);
    if (correlation(blur(before), blur(after)) > correlation(blur(other), blur(after))) {
      nearerItself++;
    }
  }
  const mean = sumCorrelation / COUNT;
  assert.ok(mean > 0.7 && mean < 0.99, `mean (blurred) correlation with the original ${mean}`);
  assert.ok(nearerItself >= 0.9 * COUNT, `only ${nearerItself} of ${COUNT} nearer their original`);
});

test("only `count` images are touched", async () => {
  const original = await batch();
  const changed = original.slice();
  augmentBatch(changed, 3, createRng(2));
  assert.deepEqual(changed.subarray(3 * 784), original.subarray(3 * 784));
});
