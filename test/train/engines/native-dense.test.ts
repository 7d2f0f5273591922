import assert from "node:assert/strict";
import { test } from "node:test";
import { readTrainingInfo } from "../../../src/model/checkpoint.ts";
import {
  type GemmDescription,
  loadNativeKernels,
  type NativeKernels,
  nativeIsas,
  requireNativeKernels,
} from "../../../src/train/engines/native-addon.ts";
import { type TrainOptions, train } from "../../../src/train/train.ts";
import { UserError } from "../../../src/util/errors.ts";
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
  const product = (c: Float32Array, a: GemmDescription["a"]) =>
    native.gemm({
      c: { data: c, ld: n },
      a,
      b: { data: b, ld: n },
      m,
      n,
      k,
      bias: { data: bias },
      relu: true,
      mask: { data: mask, ld: n },
    });
  product(c, { data: a, ld: k });
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
  product(c2, { data: at, ld: m, transposed: true });
  assert.deepEqual(c2, c);
  // Columns computed in two calls equal columns computed in one (the workers' split).
  const c3 = new Float32Array(m * n);
  for (const [j0, j1] of [
    [0, 20],
    [20, n],
  ]) {
    native.gemm({
      c: { data: c3, offset: j0, ld: n },
      a: { data: a, ld: k },
      b: { data: b, offset: j0, ld: n },
      m,
      n: j1 - j0,
      k,
      bias: { data: bias },
      relu: true,
      mask: { data: mask, offset: j0, ld: n },
    });
  }
  assert.deepEqual(c3, c);
});

test("every instruction set path equals its naive reference bit for bit, and the paths agree", () => {
  // Fused paths (AVX2, AVX-512) against the reference that rounds once per multiply-add, the
  // plain C++ path against the one that rounds the product and the sum; shapes with every edge
  // block, A read transposed, the bias per row and per column, and a k long enough to be summed
  // in blocks.
  const isas = nativeIsas();
  assert.ok(isas.includes("plain"), isas.join());
  const naive = loadNativeKernels("naive");
  const fused = loadNativeKernels("naive-fused");
  assert.ok(naive && fused);
  const value = (i: number) => Math.fround(Math.sin(i * 12.9898) * 0.5);
  for (const [m, n, k] of [
    [1, 1, 1],
    [7, 37, 19],
    [13, 70, 300],
    [6, 16, 2500],
    [64, 129, 64],
  ]) {
    for (const transposed of [false, true]) {
      for (const perColumn of [false, true]) {
        const a = Float32Array.from({ length: m * k }, (_, i) => value(i));
        const b = Float32Array.from({ length: k * n }, (_, i) => value(i + 1000));
        const bias = Float32Array.from({ length: Math.max(m, n) }, (_, i) => value(i + 2000));
        const mask = Float32Array.from({ length: m * n }, (_, i) => value(i + 3000));
        const run = (kernels: NativeKernels) => {
          const c = new Float32Array(m * n).fill(Number.NaN);
          kernels.gemm({
            c: { data: c, ld: n },
            a: { data: a, ld: transposed ? m : k, transposed },
            b: { data: b, ld: n },
            m,
            n,
            k,
            bias: { data: bias, perColumn },
            relu: !perColumn,
            mask: perColumn ? { data: mask, ld: n } : undefined,
          });
          return c;
        };
        const plainRef = run(naive);
        const fusedRef = run(fused);
        const shape = `${m}×${n}×${k}${transposed ? " Aᵀ" : ""}${perColumn ? " column bias" : ""}`;
        for (let i = 0; i < m * n; i++) {
          assert.ok(Math.abs(plainRef[i] - fusedRef[i]) < 1e-4, `${shape}: references differ`);
        }
        for (const isa of isas.filter((name) => !name.startsWith("naive"))) {
          const got = run(requireNativeKernels(isa));
          assert.deepEqual(got, isa === "plain" ? plainRef : fusedRef, `${isa} ${shape}`);
        }
      }
    }
  }
  // RMSprop rounds the same way on every path (no fused steps): the same bits everywhere.
  const count = 1037;
  const grads = Float32Array.from({ length: count }, (_, i) => value(i + 7));
  const outcomes = isas.map((isa) => {
    const params = Float32Array.from({ length: count }, (_, i) => value(i + 9));
    const state = Float32Array.from({ length: count }, (_, i) => Math.abs(value(i + 11)));
    requireNativeKernels(isa).update(0, params, state, grads, 3, count - 2, 0.001, 1);
    return [params, state];
  });
  for (const outcome of outcomes) assert.deepEqual(outcome, outcomes[0]);
});

test("DIGITKIT_NATIVE_ISA=plain trains on the plain C++ path, repeatably; an unknown path is a one-line error", async () => {
  const [a, b] = [tempDir(), tempDir()];
  process.env.DIGITKIT_NATIVE_ISA = "plain";
  try {
    const result = await train(options(a, { native: true, limitTrain: 3000, limitTest: 1000 }));
    assert.ok(result.evaluation && result.evaluation.accuracy > 0.7);
    assert.match(String(readTrainingInfo(a).kernels), /native C\+\+ kernels \(plain\)/);
    await train(options(b, { native: true, workers: 1, limitTrain: 3000, limitTest: 1000 }));
    assert.ok(weights(a).equals(weights(b)), "same seed, same weights, one worker or two");
    process.env.DIGITKIT_NATIVE_ISA = "sse9";
    await assert.rejects(
      train(options(tempDir(), { native: true })),
      (error: Error) =>
        error instanceof UserError &&
        /^DIGITKIT_NATIVE_ISA=sse9: this CPU runs/.test(error.message),
    );
  } finally {
    delete process.env.DIGITKIT_NATIVE_ISA;
  }
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
      native.gemm({
        c: { data: small, ld: 4 },
        a: { data: small, ld: 4 },
        b: { data: small, ld: 4 },
        m: 4,
        n: 4,
        k: 4,
      }),
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
      native.gemm({
        c: { data: small, ld: 2 ** 53 },
        a: { data: small, ld: 1 },
        b: { data: small, ld: 1 },
        m: 2 ** 53,
        n: 1,
        k: 1,
      }),
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
    () =>
      loose.gemm({
        c: { data: small, ld: 2 },
        a: { data: small, ld: 2 },
        b: { data: small, ld: 2 },
        m: 2,
        n: 2,
        k: 2,
        relu: 1,
      }),
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
