import { type StepStats, scoreProbabilities } from "../../model/loss.ts";
import { createRng, type Rng } from "../../util/rng.ts";
import type { WorkerContext } from "../worker-context.ts";
import { softmaxColumns, writeColumns } from "./columns.ts";
import { type DenseLayout, denseLayout, exchangeLayout } from "./dense-layout.ts";
import { type Engine, PREDICT_CHUNK } from "./engine.ts";
import { type NativeKernels, requireNativeKernels, UPDATE_KIND } from "./native-addon.ts";

/**
 * The Dense engine of dense-engine.ts on DigitKit's native kernels instead of the wasm backend:
 * the same parameter layout (Wᵀ and bias per layer), the same split of work between workers and
 * the same exchange through shared memory, so optimizer state and checkpoints move freely
 * between the two. Per step, each worker:
 *   forward on its half of the batch, activations transposed (features × samples):
 *     Aᵀ(l+1) = relu(Wᵀ·Aᵀ(l) + b), the last layer's logits softmaxed in JS;
 *   backward: dZᵀ(l−1) = (W·dZᵀ(l)) ⊙ [Aᵀ(l) > 0], W read as Wᵀ with swapped strides (no mirror),
 *     written straight into its columns of the shared dZᵀ;
 *   then, after a barrier, the gradient of its own half of the units from the whole batch,
 *   dWᵀ = dZᵀ·X, and the optimizer step on those rows.
 * Every element is summed in a fixed order (see native/digitkit-native.cc), so a seed gives the
 * same weights whatever the number of workers.
 */
export class NativeDenseEngine implements Engine {
  private readonly ctx: WorkerContext;
  private readonly layout: DenseLayout;
  private readonly exchange: ReturnType<typeof exchangeLayout>;
  private readonly native: NativeKernels;
  private readonly grads: Float32Array;
  private readonly x: Float32Array;
  /** Per layer, its input transposed (fanIn × samples); then the logits (classes × samples). */
  private readonly acts: Float32Array[];
  private readonly labels: Uint8Array;
  private rng: Rng = createRng(0);

  constructor(ctx: WorkerContext, sizes: number[], isa: string) {
    this.native = requireNativeKernels(isa);
    this.ctx = ctx;
    this.layout = denseLayout(sizes);
    this.exchange = exchangeLayout(this.layout, ctx.setup.batchSize);
    this.grads = new Float32Array(this.layout.paramCount);
    const part = Math.max(Math.ceil(ctx.setup.batchSize / ctx.setup.workers), PREDICT_CHUNK);
    this.x = new Float32Array(part * sizes[0]);
    this.acts = sizes.map((size) => new Float32Array(part * size));
    this.labels = new Uint8Array(part);
  }

  /** Nothing to rebuild: the backward products read Wᵀ itself. */
  sync(): void {}

  seedEpoch(seed: number): void {
    this.rng = createRng(seed);
  }

  /**
   * Forward pass of n samples whose inputs are rows of `x` at `xOff` (n × fanIn); leaves every
   * layer's transposed input in `acts` and returns the softmax (classes × n).
   * `shared`: also write each hidden layer's input as rows [lo, lo+n) of the exchange.
   */
  private forward(x: Float32Array, xOff: number, n: number, shared?: { lo: number }) {
    const { native, acts, ctx } = this;
    const { layers } = this.layout;
    native.transpose(acts[0], 0, n, x, xOff, layers[0].fanIn, n, layers[0].fanIn);
    layers.forEach(({ fanIn, units, wt, bias }, l) => {
      if (shared && l > 0) {
        const input = this.exchange.layers[l].input + shared.lo * fanIn;
        native.transpose(ctx.exchange, input, fanIn, acts[l], 0, n, fanIn, n);
      }
      const hidden = l < layers.length - 1;
      // Aᵀ(l+1) (units × n) = Wᵀ (units × fanIn) · Aᵀ(l) (fanIn × n) + b
      native.gemm({
        c: { data: acts[l + 1], ld: n },
        a: { data: ctx.params, offset: wt, ld: fanIn },
        b: { data: acts[l], ld: n },
        m: units,
        n,
        k: fanIn,
        bias: { data: ctx.params, offset: bias },
        relu: hidden,
      });
    });
    const classes = layers[layers.length - 1].units;
    return softmaxColumns(acts[layers.length].subarray(0, classes * n), n);
  }

  trainStep(start: number, batch: number, step: number): StepStats | undefined {
    const { ctx, native, exchange: ex, labels, grads } = this;
    const { layers } = this.layout;
    const shared = ctx.exchange;
    const [lo, hi] = ctx.share(batch);
    const n = hi - lo;
    const fanIn0 = layers[0].fanIn;
    const classes = layers[layers.length - 1].units;
    const last = layers.length - 1;

    // The batch goes straight into its rows of the shared input of the first layer.
    const x0 = ex.layers[0].input + lo * fanIn0;
    if (ctx.setup.augment) {
      ctx.loadTrainBatch(start, lo, n, shared.subarray(x0, x0 + n * fanIn0), labels, this.rng);
    } else {
      native.scaleBytes(shared, x0, ctx.trainImages, ctx.order, start + lo, n, fanIn0);
      for (let k = 0; k < n; k++) labels[k] = ctx.trainLabels[ctx.order[start + lo + k]];
    }
    const probs = this.forward(shared, x0, n, { lo });
    const stats = scoreProbabilities(probs, labels, n, classes, undefined, true);
    // dLoss/dLogits = (p − onehot) / batch, transposed (classes × n).
    for (let i = 0; i < probs.length; i++) probs[i] /= batch;
    for (let k = 0; k < n; k++) probs[labels[k] * n + k] -= 1 / batch;
    writeColumns(shared, ex.layers[last].dzt, batch, lo, probs, classes, n);
    for (let l = last; l >= 1; l--) {
      const { fanIn, units, wt } = layers[l];
      // dZᵀ(l−1) (fanIn × n) = W (fanIn × units) · dZᵀ(l) (units × n), masked by relu′.
      native.gemm({
        c: { data: shared, offset: ex.layers[l - 1].dzt + lo, ld: batch },
        a: { data: ctx.params, offset: wt, ld: fanIn, transposed: true },
        b: { data: shared, offset: ex.layers[l].dzt + lo, ld: batch },
        m: fanIn,
        n,
        k: units,
        mask: { data: this.acts[l], ld: n },
      });
    }
    if (!ctx.barrier()) return undefined;

    const { optimizer } = ctx.setup;
    const kind = UPDATE_KIND[optimizer.name];
    for (const [l, { fanIn, units, wt, bias }] of layers.entries()) {
      const [c0, c1] = ctx.share(units);
      if (c1 <= c0) continue;
      const dzt = ex.layers[l].dzt + c0 * batch;
      // dWᵀ rows [c0, c1) = dZᵀ rows (c1−c0 × batch) · X (batch × fanIn); db = row sums of dZᵀ.
      native.gemm({
        c: { data: grads, offset: wt + c0 * fanIn, ld: fanIn },
        a: { data: shared, offset: dzt, ld: batch },
        b: { data: shared, offset: ex.layers[l].input, ld: fanIn },
        m: c1 - c0,
        n: fanIn,
        k: batch,
      });
      native.rowSums(grads, bias + c0, shared, dzt, batch, c1 - c0, batch);
      const rate = optimizer.learningRate;
      native.update(
        kind,
        ctx.params,
        ctx.state,
        grads,
        wt + c0 * fanIn,
        wt + c1 * fanIn,
        rate,
        step,
      );
      native.update(kind, ctx.params, ctx.state, grads, bias + c0, bias + c1, rate, step);
    }
    if (!ctx.barrier()) return undefined;
    return stats;
  }

  predict(from: number, n: number): StepStats {
    const { ctx } = this;
    const classes = this.layout.layers[this.layout.layers.length - 1].units;
    this.native.scaleBytes(this.x, 0, ctx.evalImages, null, from, n, ctx.setup.pixels);
    const probs = this.forward(this.x, 0, n);
    const labels = ctx.evalLabels.subarray(from, from + n);
    return scoreProbabilities(
      probs,
      labels,
      n,
      classes,
      ctx.predictions.subarray(from, from + n),
      true,
    );
  }
}
