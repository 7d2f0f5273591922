import type { StepStats } from "../../model/loss.ts";
import { createRng, type Rng } from "../../util/rng.ts";
import { applyUpdate } from "../optimizers.ts";
import type { WorkerContext } from "../worker-context.ts";
import type { LayersKernel } from "./autodiff-step.ts";
import { type Engine, PREDICT_CHUNK } from "./engine.ts";

/**
 * Data parallelism for any Layers model: each worker computes the gradient of its share of the
 * batch through TF.js autodiff into its own shared buffer; after a barrier each worker sums the
 * buffers (always in worker order, so runs repeat bit for bit) over its slice of the parameters
 * and applies the optimizer there.
 */
export class AutodiffEngine implements Engine {
  private readonly ctx: WorkerContext;
  private readonly kernel: LayersKernel;
  private readonly grads: Float32Array[];
  private readonly x: Float32Array;
  private readonly labels: Uint8Array;
  private rng: Rng = createRng(0);

  constructor(ctx: WorkerContext, kernel: LayersKernel) {
    this.ctx = ctx;
    this.kernel = kernel;
    const count = ctx.params.length;
    this.grads = Array.from(
      { length: ctx.setup.workers },
      (_, w) => new Float32Array(ctx.setup.grads, w * count * 4, count),
    );
    const part = Math.max(Math.ceil(ctx.setup.batchSize / ctx.setup.workers), PREDICT_CHUNK);
    this.x = new Float32Array(part * ctx.setup.pixels);
    this.labels = new Uint8Array(part);
  }

  sync(): void {
    this.ctx.barrier();
  }

  seedEpoch(seed: number): void {
    this.rng = createRng(seed);
  }

  trainStep(start: number, batch: number, step: number): StepStats | undefined {
    const { ctx, x, labels } = this;
    const [lo, hi] = ctx.share(batch);
    const n = hi - lo;
    ctx.loadTrainBatch(start, lo, n, x, labels, this.rng);
    this.kernel.setParams(ctx.params);
    const stats = this.kernel.gradients(x, labels, n, batch, this.grads[ctx.setup.workerIndex]);
    if (!ctx.barrier()) return undefined;
    const [plo, phi] = ctx.share(ctx.params.length);
    applyUpdate(ctx.setup.optimizer, ctx.params, ctx.state, this.grads, plo, phi, step);
    if (!ctx.barrier()) return undefined;
    return stats;
  }

  predict(from: number, n: number): StepStats {
    const { ctx, x } = this;
    ctx.loadEvalBatch(from, n, x);
    this.kernel.setParams(ctx.params);
    const labels = ctx.evalLabels.subarray(from, from + n);
    return this.kernel.predict(x, labels, n, ctx.predictions.subarray(from, from + n));
  }
}
