import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMnist } from "../../../src/data/mnist.ts";
import { buildModel } from "../../../src/model/architectures.ts";
import { loadCheckpoint, readTrainingInfo } from "../../../src/model/checkpoint.ts";
import { evaluateModel } from "../../../src/model/evaluate.ts";
import { scoreProbabilities } from "../../../src/model/loss.ts";
import { LayersKernel } from "../../../src/train/engines/autodiff-step.ts";
import { type CnnLayout, cnnLayout, cnnShape } from "../../../src/train/engines/cnn-layout.ts";
import {
  CnnBuffers,
  cnnForward,
  cnnGradients,
} from "../../../src/train/engines/native-cnn-engine.ts";
import { useWasmBackend } from "../../../src/train/engines/tfjs-wasm-backend.ts";
import { type TrainOptions, train } from "../../../src/train/train.ts";
import { createRng } from "../../../src/util/rng.ts";
import { kernels, quickRun, tempDir, weights } from "../train-runs.ts";

// The CNN on the native kernels (native-cnn-engine.ts) against TF.js: each layer's gradient on a
// tiny batch, then short training runs on both paths, repeatability, resume and the checkpoint.

const value = (i: number) => Math.fround(Math.sin(i * 12.9898) * 0.5);

test("im2col3x3 and col2im3x3 are adjoint, and im2col's rows are the HWIO patches", () => {
  const native = kernels();
  const [n, h, w, c] = [2, 5, 6, 3];
  const images = Float32Array.from({ length: n * h * w * c }, (_, i) => value(i));
  const rows = n * (h - 2) * (w - 2);
  const cols = new Float32Array(rows * 9 * c);
  native.im2col3x3(cols, images, n, h, w, c);
  // Row (s=1, y=2, x=3), column (dy=1, dx=2, ch=1).
  const row = (1 * (h - 2) + 2) * (w - 2) + 3;
  assert.equal(cols[row * 9 * c + (1 * 3 + 2) * c + 1], images[((1 * h + 3) * w + 5) * c + 1]);
  const y = Float32Array.from({ length: cols.length }, (_, i) => value(i + 500));
  const back = new Float32Array(images.length);
  native.col2im3x3(back, y, n, h, w, c);
  let left = 0;
  let right = 0;
  for (let i = 0; i < cols.length; i++) left += cols[i] * y[i];
  for (let i = 0; i < images.length; i++) right += images[i] * back[i];
  assert.ok(Math.abs(left - right) < 1e-4, `${left} vs ${right}`);
});

test("maxPool2 takes each 2×2 window's maximum; its backward routes the gradient there, past relu", () => {
  const native = kernels();
  const [n, h, w, c] = [2, 5, 4, 3]; // an odd height: the last row belongs to no window
  const images = Float32Array.from({ length: n * h * w * c }, (_, i) => value(i + 7));
  const outs = n * 2 * 2 * c;
  const out = new Float32Array(outs);
  const argmax = new Int32Array(outs);
  native.maxPool2(out, argmax, images, n, h, w, c);
  let o = 0;
  for (let s = 0; s < n; s++)
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 2; x++)
        for (let ch = 0; ch < c; ch++, o++) {
          const at = (dy: number, dx: number) => ((s * h + 2 * y + dy) * w + 2 * x + dx) * c + ch;
          const window = [at(0, 0), at(0, 1), at(1, 0), at(1, 1)].map((i) => images[i]);
          assert.equal(out[o], Math.max(...window));
          assert.equal(images[argmax[o]], out[o]);
        }
  const dOut = Float32Array.from({ length: outs }, (_, i) => i + 1);
  const dImages = new Float32Array(images.length).fill(99);
  native.maxPool2Backward(dImages, dOut, argmax, images, n, h, w, c, true);
  const want = new Float32Array(images.length);
  for (let i = 0; i < outs; i++) if (images[argmax[i]] > 0) want[argmax[i]] = dOut[i];
  assert.deepEqual(dImages, want);
});

test("the GEMM's per-column bias and its blocks of a long k give a plain product's values", () => {
  const native = kernels();
  const [m, n, k] = [9, 35, 2500]; // k > 1024: summed in blocks, C carrying the partial sums
  const a = Float32Array.from({ length: k * m }, (_, i) => value(i)); // stored as Aᵀ
  const b = Float32Array.from({ length: k * n }, (_, i) => value(i + 99));
  const bias = Float32Array.from({ length: n }, (_, i) => value(i + 5));
  const c = new Float32Array(m * n);
  native.gemm({
    c: { data: c, ld: n },
    a: { data: a, ld: m, transposed: true },
    b: { data: b, ld: n },
    m,
    n,
    k,
    bias: { data: bias, perColumn: true },
    relu: true,
  });
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias[j];
      for (let q = 0; q < k; q++) sum += a[q * m + i] * b[q * n + j];
      const want = Math.max(sum, 0);
      assert.ok(Math.abs(c[i * n + j] - want) < 1e-3, `C[${i}, ${j}] ${c[i * n + j]} vs ${want}`);
    }
  }
});

/** The CNN's parameters in TF.js order (biases made non-zero) and a tiny batch. */
function fixture(dropout = 0) {
  const model = buildModel("cnn", { seed: 3, dropout });
  const shape = cnnShape(model);
  assert.ok(shape, "the CNN of architectures.ts is recognized");
  const layout = cnnLayout(shape);
  assert.equal(layout.paramCount, model.countParams());
  const params = new Float32Array(layout.paramCount);
  let offset = 0;
  for (const w of model.getWeights()) {
    params.set(w.dataSync() as Float32Array, offset);
    offset += w.size;
  }
  const rng = createRng(9);
  for (let i = 0; i < params.length; i++) params[i] += (rng() - 0.5) * 0.02;
  const n = 5;
  const buffers = new CnnBuffers(layout, n);
  for (let i = 0; i < n * 784; i++) buffers.x[i] = rng();
  for (let k = 0; k < n; k++) buffers.labels[k] = (k * 3) % 10;
  return { model, layout, params, n, buffers };
}

const tensors = (l: CnnLayout) =>
  [
    ["conv 1 kernel", l.k1, l.b1],
    ["conv 1 bias", l.b1, l.k2],
    ["conv 2 kernel", l.k2, l.b2],
    ["conv 2 bias", l.b2, l.w3],
    ["dense 1 kernel", l.w3, l.b3],
    ["dense 1 bias", l.b3, l.w4],
    ["dense 2 kernel", l.w4, l.b4],
    ["dense 2 bias", l.b4, l.paramCount],
  ] as const;

test("every layer's gradient equals TF.js autodiff's on a tiny batch", async () => {
  await useWasmBackend();
  const { model, layout, params, n, buffers } = fixture();
  const grads = new Float32Array(layout.paramCount);
  const stats = cnnGradients(kernels(), layout, params, buffers, n, 8, grads, createRng(1));
  const kernel = new LayersKernel(model);
  kernel.setParams(params);
  const want = new Float32Array(layout.paramCount);
  const wantStats = kernel.gradients(buffers.x, buffers.labels, n, 8, want);
  assert.ok(
    Math.abs(stats.loss - wantStats.loss) < 1e-4,
    `loss ${stats.loss} vs ${wantStats.loss}`,
  );
  for (const [name, from, to] of tensors(layout)) {
    let scale = 0;
    let diff = 0;
    for (let i = from; i < to; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      diff = Math.max(diff, Math.abs(grads[i] - want[i]));
    }
    assert.ok(scale > 1e-4, `${name}: a gradient to compare`);
    assert.ok(diff < 1e-5 * Math.max(scale, 1), `${name}: differs by ${diff} (scale ${scale})`);
  }
});

test("with dropout, the gradients match central differences of the loss under the same mask", async () => {
  await useWasmBackend();
  const native = kernels();
  const { layout, params, n, buffers } = fixture(0.5);
  assert.equal(layout.dropout, 0.5);
  const grads = new Float32Array(layout.paramCount);
  cnnGradients(native, layout, params, buffers, n, n, grads, createRng(4));
  const keep = buffers.keep.slice(0, n * layout.hidden);
  assert.ok(
    keep.some((k) => k === 0) && keep.some((k) => k === 2),
    "some units dropped, some kept",
  );
  const loss = () => {
    const probs = cnnForward(native, layout, params, buffers, n, keep);
    return scoreProbabilities(probs, buffers.labels, n, layout.classes).loss / n;
  };
  const eps = 1e-3;
  for (const [name, from, to] of tensors(layout)) {
    // The three parameters with the largest gradients in this tensor.
    const order = Array.from({ length: to - from }, (_, i) => from + i)
      .sort((p, q) => Math.abs(grads[q]) - Math.abs(grads[p]))
      .slice(0, 3);
    for (const i of order) {
      const saved = params[i];
      params[i] = saved + eps;
      const up = loss();
      params[i] = saved - eps;
      const down = loss();
      params[i] = saved;
      const numeric = (up - down) / (2 * eps);
      const tolerance = 0.05 * Math.abs(grads[i]) + 2e-4;
      assert.ok(
        Math.abs(numeric - grads[i]) < tolerance,
        `${name}[${i - from}]: ${grads[i]} vs numeric ${numeric}`,
      );
    }
  }
});

const options = (out: string, extra: Partial<TrainOptions> = {}) =>
  quickRun(out, {
    arch: "cnn",
    batchSize: 64,
    optimizer: "adam",
    seed: 7,
    dropout: 0.25,
    native: true,
    ...extra,
  });

const floats = (dir: string) => new Float32Array(new Uint8Array(weights(dir)).buffer);
function largestChange(a: string, b: string): number {
  const [x, y] = [floats(a), floats(b)];
  let largest = 0;
  for (let i = 0; i < x.length; i++) largest = Math.max(largest, Math.abs(x[i] - y[i]));
  return largest;
}

test("the native CNN clearly beats chance, repeats with its seed and resumes to the same weights", async () => {
  const [a, b, c] = [tempDir(), tempDir(), tempDir()];
  const result = await train(options(a, { epochs: 2 }));
  const info = readTrainingInfo(a);
  assert.equal(info.engine, "cnn");
  assert.match(String(info.kernels), /CNN passes, native/);
  assert.ok(
    result.evaluation && result.evaluation.accuracy > 0.7,
    `accuracy ${result.evaluation?.accuracy}`,
  );
  await train(options(b, { epochs: 2 }));
  assert.ok(weights(a).equals(weights(b)), "same seed, same weights");
  await train(options(c, { epochs: 1 }));
  await train(options(c, { epochs: 2, resume: true }));
  assert.ok(weights(a).equals(weights(c)), "one epoch + resume = two epochs");
  // The checkpoint, loaded and scored by TF.js, gives the native engine's own last score.
  const model = await loadCheckpoint(a);
  const { test: testSet } = await loadMnist();
  const limited = {
    ...testSet,
    count: 500,
    images: testSet.images.subarray(0, 500 * 784),
    labels: testSet.labels.subarray(0, 500),
  };
  const tfjs = evaluateModel(model, limited);
  assert.equal(tfjs.accuracy, info.history[1].valAcc);
});

test("the TF.js autodiff fallback trains the same CNN and beats chance", async () => {
  const out = tempDir();
  const result = await train(options(out, { native: false, dropout: 0, limitTrain: 768 }));
  assert.equal(readTrainingInfo(out).engine, "autodiff");
  assert.ok(
    result.evaluation && result.evaluation.accuracy > 0.5,
    `accuracy ${result.evaluation?.accuracy}`,
  );
});

test("--lr-decay scales each epoch's learning rate, and a resumed run keeps the schedule", async () => {
  const run = (out: string, extra: Partial<TrainOptions>) =>
    train(options(out, { optimizer: "sgd", dropout: 0, limitTrain: 256, ...extra }));
  const [one, frozen, decayed, resumed] = [tempDir(), tempDir(), tempDir(), tempDir()];
  await run(one, { epochs: 1 });
  // At lr × 1e-9 the second epoch moves no weight by more than ~1e-12; at lr × 0.5, visibly.
  await run(frozen, { epochs: 2, lrDecay: 1e-9 });
  assert.ok(largestChange(one, frozen) < 1e-9, `moved by ${largestChange(one, frozen)}`);
  assert.equal(readTrainingInfo(frozen).lrDecay, 1e-9);
  await run(decayed, { epochs: 2, lrDecay: 0.5 });
  assert.ok(largestChange(one, decayed) > 1e-4, `moved by ${largestChange(one, decayed)}`);
  await run(resumed, { epochs: 1, lrDecay: 0.5 });
  await run(resumed, { epochs: 2, resume: true });
  assert.ok(weights(decayed).equals(weights(resumed)), "the resumed run keeps its decay");
});
