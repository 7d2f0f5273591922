import assert from "node:assert/strict";
import { test } from "node:test";
import { readTrainingInfo } from "../../../src/model/checkpoint.ts";
import { type TrainOptions, train } from "../../../src/train/train.ts";
import { kernels, quickRun, tempDir, weights } from "../train-runs.ts";

// Both engines of the tutorial network: the native kernels (built by npm install on this
// machine kind) and the wasm fallback, each on a small subset with two workers.
const options = (out: string, extra: Partial<TrainOptions> = {}) =>
  quickRun(out, { limitTrain: 1000, ...extra });

test("the native kernels are built and their product matches a plain one, bias, relu and mask included", () => {
  const native = kernels();
  const [m, n, k] = [7, 37, 19]; // not multiples of the blocks: every edge path runs
  const value = (i: number) => Math.fround(Math.sin(i * 12.9898) * 0.5);
  const a = Float32Array.from({ length: m * k }, (_, i) => value(i));
  const b = Float32Array.from({ length: k * n }, (_, i) => value(i + 1000));
  const bias = Float32Array.from({ length: m }, (_, i) => value(i + 2000));
  const mask = Float32Array.from({ length: m * n }, (_, i) => value(i + 3000));
  const c = new Float32Array(m * n);
  native.gemm(c, 0, n, a, 0, k, 1, b, 0, n, m, n, k, bias, 0, true, mask, 0, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias[i];
      for (let q = 0; q < k; q++) sum += a[i * k + q] * b[q * n + j];
      const want = mask[i * n + j] > 0 ? Math.max(sum, 0) : 0;
      assert.ok(Math.abs(c[i * n + j] - want) < 1e-5, `C[${i}, ${j}] ${c[i * n + j]} vs ${want}`);
    }
  }
  // A read through swapped strides (as Aᵀ) gives the very same bits.
  const at = new Float32Array(k * m);
  for (let i = 0; i < m; i++) for (let q = 0; q < k; q++) at[q * m + i] = a[i * k + q];
  const c2 = new Float32Array(m * n);
  native.gemm(c2, 0, n, at, 0, 1, m, b, 0, n, m, n, k, bias, 0, true, mask, 0, n);
  assert.deepEqual(c2, c);
  // Columns computed in two calls equal columns computed in one (the workers' split).
  const c3 = new Float32Array(m * n);
  native.gemm(c3, 0, n, a, 0, k, 1, b, 0, n, m, 20, k, bias, 0, true, mask, 0, n);
  native.gemm(c3, 20, n, a, 0, k, 1, b, 20, n, m, n - 20, k, bias, 0, true, mask, 20, n);
  assert.deepEqual(c3, c);
});

test("the native kernels load bytes as byte / 255 (same bits as JS), in the given order", () => {
  const native = kernels();
  const bytes = Uint8Array.from({ length: 256 * 2 }, (_, i) => i % 256);
  const rows = new Float32Array(2 * 256);
  native.scaleBytes(rows, 0, bytes, Int32Array.of(1, 0), 0, 2, 256);
  const want = Float32Array.from({ length: 256 }, (_, i) => i / 255);
  assert.deepEqual(rows.subarray(0, 256), want);
  assert.deepEqual(rows.subarray(256), want);
});

test("the native kernels refuse operands out of bounds instead of touching memory", () => {
  const native = kernels();
  const small = new Float32Array(10);
  assert.throws(
    () =>
      native.gemm(small, 0, 4, small, 0, 4, 1, small, 0, 4, 4, 4, 4, null, 0, false, null, 0, 0),
    /out of bounds/,
  );
  assert.throws(() => native.transpose(small, 0, 5, small, 5, 5, 2, 5), /out of bounds/);
  assert.throws(() => native.update(0, small, small, small, 0, 11, 0.001, 1), /out of bounds/);
  const bytes = new Uint8Array(20);
  assert.throws(
    () => native.scaleBytes(small, 0, bytes, Int32Array.of(2), 0, 1, 10),
    /out of bounds/,
  );
  assert.throws(() => native.scaleBytes(small, 0, bytes, null, 2, 1, 10), /out of bounds/);
});

test("the CNN kernels refuse operands out of bounds, and sizes whose products overflow", () => {
  const native = kernels();
  const small = new Float32Array(16);
  const argmax = new Int32Array(4);
  assert.throws(() => native.im2col3x3(small, small, 1, 4, 4, 1), /out of bounds/);
  assert.throws(
    () => native.im2col3x3(new Float32Array(36), small.subarray(1), 1, 4, 4, 1),
    /out of bounds/,
  );
  assert.throws(() => native.col2im3x3(small, small, 1, 4, 4, 1), /out of bounds/);
  assert.throws(
    () => native.maxPool2(small, argmax.subarray(1), small, 1, 4, 4, 1),
    /out of bounds/,
  );
  assert.throws(
    () => native.maxPool2Backward(small, small, argmax, small, 2, 4, 4, 1, true),
    /out of bounds/,
  );
  assert.throws(() => native.colSums(small, 0, small, 0, 5, 4), /out of bounds/);
  assert.throws(() => native.im2col3x3(small, small, 2 ** 40, 2 ** 20, 2 ** 20, 3), /size/);
  assert.throws(
    () =>
      native.gemm(
        small,
        0,
        2 ** 53,
        small,
        0,
        1,
        1,
        small,
        0,
        1,
        2 ** 53,
        1,
        1,
        null,
        0,
        false,
        null,
        0,
        0,
      ),
    /out of bounds/,
  );
  assert.throws(
    () => native.update(1, small.subarray(0, 4), small, small, 0, 4, 0.001, 0),
    /Adam's step/,
  );
});

test("the native kernels throw a TypeError for arguments of the wrong kind, never truncate", () => {
  // The declared types forbid these calls; JS callers can still make them.
  const loose = kernels() as unknown as Record<string, (...args: unknown[]) => void>;
  const small = new Float32Array(16);
  const type = (fn: () => void, message: RegExp) =>
    assert.throws(fn, (error: Error) => error instanceof TypeError && message.test(error.message));
  type(() => loose.transpose(small, 0.5, 4, small, 0, 4, 2, 2), /expected an integer/);
  type(() => loose.transpose(small, Number.NaN, 4, small, 0, 4, 2, 2), /expected an integer/);
  type(() => loose.transpose(small, 1e300, 4, small, 0, 4, 2, 2), /expected an integer/);
  type(() => loose.transpose(new Int32Array(16), 0, 4, small, 0, 4, 2, 2), /Float32Array/);
  type(() => loose.transpose(small), /wrong number of arguments/);
  type(
    () => loose.gemm(small, 0, 2, small, 0, 2, 1, small, 0, 2, 2, 2, 2, null, 0, 1, null, 0, 0),
    /expected a boolean/,
  );
  type(() => loose.scaleBytes(small, 0, small, null, 0, 1, 4), /Uint8Array/);
});

test("native engine: a short run clearly beats chance, repeats with its seed, and ignores the worker count", async () => {
  const [a, b, one, other] = [tempDir(), tempDir(), tempDir(), tempDir()];
  const result = await train(options(a, { native: true, limitTrain: 3000, limitTest: 1000 }));
  assert.ok(
    result.evaluation && result.evaluation.accuracy > 0.7,
    `${result.evaluation?.accuracy}`,
  );
  assert.match(String(readTrainingInfo(a).kernels), /native/);
  await train(options(b, { native: true, limitTrain: 3000, limitTest: 1000 }));
  assert.ok(weights(a).equals(weights(b)), "same seed, same weights");
  await train(options(one, { native: true, workers: 1, limitTrain: 3000, limitTest: 1000 }));
  assert.ok(weights(a).equals(weights(one)), "one worker, same weights as two");
  await train(options(other, { native: true, seed: 6, limitTrain: 3000, limitTest: 1000 }));
  assert.ok(!weights(a).equals(weights(other)), "another seed, other weights");
});

test("wasm engine (native: false): a short run clearly beats chance and repeats with its seed", async () => {
  const [a, b] = [tempDir(), tempDir()];
  const result = await train(options(a, { native: false, limitTrain: 3000, limitTest: 1000 }));
  assert.ok(
    result.evaluation && result.evaluation.accuracy > 0.7,
    `${result.evaluation?.accuracy}`,
  );
  assert.match(String(readTrainingInfo(a).kernels), /wasm/);
  await train(options(b, { native: false, limitTrain: 3000, limitTest: 1000 }));
  assert.ok(weights(a).equals(weights(b)), "same seed, same weights");
});

test("DIGITKIT_NATIVE=0 picks the wasm engine, and the header names the engine", async () => {
  const lines: string[] = [];
  process.env.DIGITKIT_NATIVE = "0";
  try {
    await train(options(tempDir(), { limitTrain: 256, limitTest: 100, log: (l) => lines.push(l) }));
  } finally {
    delete process.env.DIGITKIT_NATIVE;
  }
  assert.ok(
    lines.includes("Engine: hand-written Dense passes, TF.js wasm backend (XNNPACK)"),
    lines.join("\n"),
  );
  lines.length = 0;
  await train(options(tempDir(), { limitTrain: 256, limitTest: 100, log: (l) => lines.push(l) }));
  assert.ok(
    lines.some((l) => /^Engine: .*native C\+\+ kernels/.test(l)),
    lines.join("\n"),
  );
});
