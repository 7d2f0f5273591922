import { type StepStats, scoreProbabilities } from "../../model/loss.ts";
import { createRng, type Rng } from "../../util/rng.ts";
import { softmaxInPlace } from "../../util/softmax.ts";
import type { WorkerContext } from "../worker-context.ts";
import { type CnnLayout, type CnnShape, cnnLayout } from "./cnn-layout.ts";
import type { Engine } from "./engine.ts";
import {
  type GemmDescription,
  type NativeKernels,
  requireNativeKernels,
  UPDATE_KIND,
} from "./native-addon.ts";

/**
 * Activations and gradients of one forward and backward pass on up to `capacity` samples, all
 * NHWC (as TF.js), rows of samples (or of pixels) by columns of channels / units.
 */
export class CnnBuffers {
  readonly x: Float32Array;
  readonly cols1: Float32Array;
  readonly conv1: Float32Array;
  readonly pool1: Float32Array;
  readonly arg1: Int32Array;
  readonly cols2: Float32Array;
  readonly conv2: Float32Array;
  readonly pool2: Float32Array;
  readonly arg2: Int32Array;
  readonly hidden: Float32Array;
  readonly keep: Float32Array;
  readonly logits: Float32Array;
  readonly labels: Uint8Array;
  // Gradients of the activations above, same sizes.
  readonly dHidden: Float32Array;
  readonly dPool2: Float32Array;
  readonly dConv2: Float32Array;
  readonly dCols2: Float32Array;
  readonly dPool1: Float32Array;
  readonly dConv1: Float32Array;
  // Transposed weights for the input-gradient products.
  readonly k2t: Float32Array;
  readonly w3t: Float32Array;
  readonly w4t: Float32Array;

  constructor(l: CnnLayout, capacity: number) {
    const n = capacity;
    const [f1, f2] = l.filters;
    const p1 = l.conv1[0] * l.conv1[1];
    const p2 = l.conv2[0] * l.conv2[1];
    const q1 = l.pool1[0] * l.pool1[1];
    this.x = new Float32Array(n * l.height * l.width * l.channels);
    this.cols1 = new Float32Array(n * p1 * 9 * l.channels);
    this.conv1 = new Float32Array(n * p1 * f1);
    this.pool1 = new Float32Array(n * q1 * f1);
    this.arg1 = new Int32Array(n * q1 * f1);
    this.cols2 = new Float32Array(n * p2 * 9 * f1);
    this.conv2 = new Float32Array(n * p2 * f2);
    this.pool2 = new Float32Array(n * l.flat);
    this.arg2 = new Int32Array(n * l.flat);
    this.hidden = new Float32Array(n * l.hidden);
    this.keep = new Float32Array(n * l.hidden);
    this.logits = new Float32Array(n * l.classes);
    this.labels = new Uint8Array(n);
    this.dHidden = new Float32Array(n * l.hidden);
    this.dPool2 = new Float32Array(n * l.flat);
    this.dConv2 = new Float32Array(n * p2 * f2);
    this.dCols2 = new Float32Array(n * p2 * 9 * f1);
    this.dPool1 = new Float32Array(n * q1 * f1);
    this.dConv1 = new Float32Array(n * p1 * f1);
    this.k2t = new Float32Array(9 * f1 * f2);
    this.w3t = new Float32Array(l.flat * l.hidden);
    this.w4t = new Float32Array(l.hidden * l.classes);
  }
}

/**
 * The CNN of architectures.ts trained on DigitKit's native kernels: each 3×3 convolution is
 * im2col + the GEMM with a fused bias and relu, max-pooling keeps its argmax for the backward
 * pass (which also applies the relu's gradient), and the Dense layers are GEMMs on rows of
 * samples. Data parallel like the autodiff engine: each worker computes the gradient of its share
 * of the batch into its own shared buffer; after a barrier every worker sums the buffers in
 * worker order over its slice of the parameters and applies the optimizer there. Parameters
 * and optimizer state are in the TF.js model's order (see cnn-layout.ts), so checkpoints, resume
 * and export are the same as with the autodiff engine.
 */
export class NativeCnnEngine implements Engine {
  private readonly ctx: WorkerContext;
  private readonly layout: CnnLayout;
  private readonly native: NativeKernels;
  private readonly buffers: CnnBuffers;
  private readonly capacity: number;
  /** One gradient buffer per worker (views of the shared gradients). */
  private readonly grads: Float32Array[];
  private readonly sum: Float32Array;
  private rng: Rng = createRng(0);
  private dropoutRng: Rng = createRng(0);

  constructor(ctx: WorkerContext, shape: CnnShape, isa: string) {
    this.native = requireNativeKernels(isa);
    this.ctx = ctx;
    this.layout = cnnLayout(shape);
    this.capacity = Math.ceil(ctx.setup.batchSize / ctx.setup.workers);
    this.buffers = new CnnBuffers(this.layout, this.capacity);
    const count = this.layout.paramCount;
    this.grads = Array.from(
      { length: ctx.setup.workers },
      (_, w) => new Float32Array(ctx.setup.grads, w * count * 4, count),
    );
    this.sum = new Float32Array(count);
  }

  sync(): void {
    this.ctx.barrier();
  }

  seedEpoch(seed: number): void {
    this.rng = createRng(seed);
    this.dropoutRng = createRng(seed * 7 + 3);
  }

  trainStep(start: number, batch: number, step: number): StepStats | undefined {
    const { ctx, native, buffers: b } = this;
    const [lo, hi] = ctx.share(batch);
    const n = hi - lo;
    if (ctx.setup.augment) {
      ctx.loadTrainBatch(start, lo, n, b.x, b.labels, this.rng);
    } else {
      native.scaleBytes(b.x, 0, ctx.trainImages, ctx.order, start + lo, n, ctx.setup.pixels);
      for (let k = 0; k < n; k++) b.labels[k] = ctx.trainLabels[ctx.order[start + lo + k]];
    }
    const stats = cnnGradients(
      native,
      this.layout,
      ctx.params,
      b,
      n,
      batch,
      this.grads[ctx.setup.workerIndex],
      this.dropoutRng,
    );
    if (!ctx.barrier()) return undefined;

    const [plo, phi] = ctx.share(this.layout.paramCount);
    const { sum, grads } = this;
    sum.set(grads[0].subarray(plo, phi), plo);
    for (let w = 1; w < grads.length; w++) {
      const g = grads[w];
      for (let i = plo; i < phi; i++) sum[i] += g[i];
    }
    const { optimizer } = ctx.setup;
    native.update(
      UPDATE_KIND[optimizer.name],
      ctx.params,
      ctx.state,
      sum,
      plo,
      phi,
      optimizer.learningRate,
      step,
    );
    if (!ctx.barrier()) return undefined;
    return stats;
  }

  predict(from: number, n: number): StepStats {
    const { ctx, native, buffers: b, layout } = this;
    const total: StepStats = { loss: 0, correct: 0 };
    for (let at = from; at < from + n; at += this.capacity) {
      const m = Math.min(this.capacity, from + n - at);
      native.scaleBytes(b.x, 0, ctx.evalImages, null, at, m, ctx.setup.pixels);
      const probs = cnnForward(native, layout, ctx.params, b, m);
      const stats = scoreProbabilities(
        probs,
        ctx.evalLabels.subarray(at, at + m),
        m,
        layout.classes,
        ctx.predictions.subarray(at, at + m),
      );
      total.loss += stats.loss;
      total.correct += stats.correct;
    }
    return total;
  }
}

/**
 * C (m × n, rows of samples or pixels) = post(A (m × k) · B (k × n) [+ bias per column]), with
 * C packed (ld = n) at `cOffset`; A may be read transposed.
 */
function product(
  native: NativeKernels,
  c: Float32Array,
  a: GemmDescription["a"],
  b: GemmDescription["b"],
  [m, n, k]: [number, number, number],
  post: { bias?: { data: Float32Array; offset: number }; relu?: boolean; mask?: Float32Array } = {},
  cOffset = 0,
): void {
  native.gemm({
    c: { data: c, offset: cOffset, ld: n },
    a,
    b,
    m,
    n,
    k,
    bias: post.bias && { ...post.bias, perColumn: true },
    relu: post.relu,
    mask: post.mask && { data: post.mask, ld: n },
  });
}

/**
 * Forward pass of the n images in `b.x` with `params`; leaves every activation in `b` and
 * returns the softmax (n × classes, in b.logits). `keep`: dropout's multipliers per hidden unit
 * (0 or 1 / (1 − rate)), applied to the hidden layer when given.
 */
export function cnnForward(
  native: NativeKernels,
  l: CnnLayout,
  params: Float32Array,
  b: CnnBuffers,
  n: number,
  keep?: Float32Array,
): Float32Array {
  const [f1, f2] = l.filters;
  const block1 = { cols: b.cols1, conv: b.conv1, arg: b.arg1, pool: b.pool1 };
  convForward(native, params, b.x, block1, [n, l.height, l.width, l.channels, f1], [l.k1, l.b1]);
  const block2 = { cols: b.cols2, conv: b.conv2, arg: b.arg2, pool: b.pool2 };
  convForward(native, params, b.pool1, block2, [n, ...l.pool1, f1, f2], [l.k2, l.b2]);
  product(
    native,
    b.hidden,
    { data: b.pool2, ld: l.flat },
    { data: params, offset: l.w3, ld: l.hidden },
    [n, l.hidden, l.flat],
    { bias: { data: params, offset: l.b3 }, relu: true },
  );
  if (keep) for (let i = 0; i < n * l.hidden; i++) b.hidden[i] *= keep[i];
  product(
    native,
    b.logits,
    { data: b.hidden, ld: l.hidden },
    { data: params, offset: l.w4, ld: l.classes },
    [n, l.classes, l.hidden],
    { bias: { data: params, offset: l.b4 } },
  );
  return softmaxRows(b.logits.subarray(0, n * l.classes), l.classes);
}

/**
 * One conv 3×3 → relu → max-pool 2 block forward: cols = im2col(input), conv = relu(cols·K + b),
 * pool = the max of each 2×2 window of conv (its index kept in arg for the backward pass).
 * Sizes: n images, the input's height, width and channels, and the filters.
 */
function convForward(
  native: NativeKernels,
  params: Float32Array,
  input: Float32Array,
  block: { cols: Float32Array; conv: Float32Array; arg: Int32Array; pool: Float32Array },
  [n, height, width, channels, filters]: [number, number, number, number, number],
  [kernel, bias]: [number, number],
): void {
  const { cols, conv, arg, pool } = block;
  const rows = n * (height - 2) * (width - 2);
  native.im2col3x3(cols, input, n, height, width, channels);
  product(
    native,
    conv,
    { data: cols, ld: 9 * channels },
    { data: params, offset: kernel, ld: filters },
    [rows, filters, 9 * channels],
    { bias: { data: params, offset: bias }, relu: true },
  );
  native.maxPool2(pool, arg, conv, n, height - 2, width - 2, filters);
}

/**
 * Forward and backward pass of the n samples in b.x / b.labels: writes dLoss/dParams into
 * `grads` (the loss: categorical cross-entropy summed over these samples, divided by `batch`, the
 * whole step's batch) and returns the samples' loss and correct count.
 */
export function cnnGradients(
  native: NativeKernels,
  l: CnnLayout,
  params: Float32Array,
  b: CnnBuffers,
  n: number,
  batch: number,
  grads: Float32Array,
  dropoutRng: Rng,
): StepStats {
  const [f1, f2] = l.filters;
  const c = l.channels;
  const h = l.hidden;
  const rows2 = n * l.conv2[0] * l.conv2[1];
  let keep: Float32Array | undefined;
  if (l.dropout > 0) {
    keep = b.keep;
    const scale = 1 / (1 - l.dropout);
    for (let i = 0; i < n * h; i++) keep[i] = dropoutRng() < l.dropout ? 0 : scale;
  }
  const probs = cnnForward(native, l, params, b, n, keep);
  const stats = scoreProbabilities(probs, b.labels, n, l.classes);
  // dLoss/dLogits = (p − onehot) / batch (n × classes), in place.
  for (let i = 0; i < n * l.classes; i++) probs[i] /= batch;
  for (let k = 0; k < n; k++) probs[k * l.classes + b.labels[k]] -= 1 / batch;

  // Dense 2: dW4 = Hᵀ·dZ, db4 = Σ dZ, dH = dZ·W4ᵀ masked by relu′ (and dropout: the kept,
  // scaled hidden units are the positive ones).
  product(
    native,
    grads,
    { data: b.hidden, ld: h, transposed: true },
    { data: probs, ld: l.classes },
    [h, l.classes, n],
    {},
    l.w4,
  );
  native.colSums(grads, l.b4, probs, 0, n, l.classes);
  native.transpose(b.w4t, 0, h, params, l.w4, l.classes, h, l.classes);
  product(
    native,
    b.dHidden,
    { data: probs, ld: l.classes },
    { data: b.w4t, ld: h },
    [n, h, l.classes],
    { mask: b.hidden },
  );
  if (keep) for (let i = 0; i < n * h; i++) b.dHidden[i] *= keep[i];

  // Dense 1 (from the flattened pool): dW3 = Xᵀ·dH, db3, dX = dH·W3ᵀ.
  product(
    native,
    grads,
    { data: b.pool2, ld: l.flat, transposed: true },
    { data: b.dHidden, ld: h },
    [l.flat, h, n],
    {},
    l.w3,
  );
  native.colSums(grads, l.b3, b.dHidden, 0, n, h);
  native.transpose(b.w3t, 0, l.flat, params, l.w3, h, l.flat, h);
  product(native, b.dPool2, { data: b.dHidden, ld: h }, { data: b.w3t, ld: l.flat }, [
    n,
    l.flat,
    h,
  ]);

  // Block 2: its kernel's and bias's gradients, then dCols = dConv·K2ᵀ, col2im.
  const block2 = { cols: b.cols2, conv: b.conv2, arg: b.arg2, dConv: b.dConv2 };
  convBackward(native, grads, block2, b.dPool2, [n, ...l.conv2, f1, f2], [l.k2, l.b2]);
  native.transpose(b.k2t, 0, 9 * f1, params, l.k2, f2, 9 * f1, f2);
  product(native, b.dCols2, { data: b.dConv2, ld: f2 }, { data: b.k2t, ld: 9 * f1 }, [
    rows2,
    9 * f1,
    f2,
  ]);
  native.col2im3x3(b.dPool1, b.dCols2, n, l.pool1[0], l.pool1[1], f1);

  // Block 1: its kernel's and bias's gradients (no input gradient needed).
  const block1 = { cols: b.cols1, conv: b.conv1, arg: b.arg1, dConv: b.dConv1 };
  convBackward(native, grads, block1, b.dPool1, [n, ...l.conv1, c, f1], [l.k1, l.b1]);
  return stats;
}

/**
 * The backward pass of one conv 3×3 → relu → max-pool 2 block down to its parameters: dConv =
 * dPool routed to each window's maximum where the relu passed it; dK = colsᵀ·dConv into
 * grads[kernel…], db = dConv's column sums into grads[bias…]. Sizes: n images, the convolution's
 * output height and width, its input channels and its filters.
 */
function convBackward(
  native: NativeKernels,
  grads: Float32Array,
  block: { cols: Float32Array; conv: Float32Array; arg: Int32Array; dConv: Float32Array },
  dPool: Float32Array,
  [n, height, width, channels, filters]: [number, number, number, number, number],
  [kernel, bias]: [number, number],
): void {
  const rows = n * height * width;
  const { cols, conv, arg, dConv } = block;
  native.maxPool2Backward(dConv, dPool, arg, conv, n, height, width, filters, true);
  product(
    native,
    grads,
    { data: cols, ld: 9 * channels, transposed: true },
    { data: dConv, ld: filters },
    [9 * channels, filters, rows],
    {},
    kernel,
  );
  native.colSums(grads, bias, dConv, 0, rows, filters);
}

/** Softmax along each row of a (rows × classes) matrix, in place; returns it. */
function softmaxRows(z: Float32Array, classes: number): Float32Array {
  for (let r = 0; r < z.length; r += classes) softmaxInPlace(z, r, classes);
  return z;
}
