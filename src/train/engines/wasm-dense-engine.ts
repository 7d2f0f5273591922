import * as tf from "@tensorflow/tfjs-core";
import { type StepStats, scoreProbabilities } from "../../model/loss.ts";
import { createRng, type Rng } from "../../util/rng.ts";
import { applyUpdate } from "../optimizers.ts";
import type { WorkerContext } from "../worker-context.ts";
import { softmaxColumns, writeColumns } from "./columns.ts";
import { type DenseLayout, denseLayout, exchangeLayout } from "./dense-layout.ts";
import { type Engine, PREDICT_CHUNK } from "./engine.ts";

/**
 * The tutorial network's fast path: a stack of Dense layers (relu, softmax output, categorical
 * cross-entropy) trained by hand-written passes on the wasm backend, cooperatively by all workers.
 *
 * Why this shape. XNNPACK (behind tfjs-backend-wasm's matMul) repacks its right-hand operand
 * whenever that tensor is new, which for a fresh weight matrix each step costs as much as the
 * product itself; the left operand is read as it is. So every product puts the big matrix (the
 * weights) on the left and the batch on the right: forward Zᵀ = Wᵀ·Aᵀ, backward dAᵀ = W·dZᵀ, with
 * activations kept transposed (features × samples). Each worker runs forward and backward on its
 * half of the batch. Then, instead of each computing a full weight gradient from half the samples
 * and summing (products with an inner size of 64, slow, plus a reduction), the workers exchange
 * dZᵀ and the layer inputs through shared memory and each computes the gradient of its own half
 * of the units from the whole batch (inner size 128), and updates exactly those rows of Wᵀ. No
 * sums across workers at all, so a run is bit-for-bit repeatable. The first layer's input
 * gradient is never computed.
 */
export class DenseEngine implements Engine {
  private readonly ctx: WorkerContext;
  private readonly layout: DenseLayout;
  private readonly exchange: ReturnType<typeof exchangeLayout>;
  private readonly grads: Float32Array;
  private readonly x: Float32Array;
  private readonly xt: Float32Array;
  private readonly labels: Uint8Array;
  private rng: Rng = createRng(0);

  constructor(ctx: WorkerContext, sizes: number[]) {
    this.ctx = ctx;
    this.layout = denseLayout(sizes);
    this.exchange = exchangeLayout(this.layout, ctx.setup.batchSize);
    this.grads = new Float32Array(this.layout.paramCount);
    const part = Math.max(Math.ceil(ctx.setup.batchSize / ctx.setup.workers), PREDICT_CHUNK);
    this.x = new Float32Array(part * sizes[0]);
    this.xt = new Float32Array(part * sizes[0]);
    this.labels = new Uint8Array(part);
  }

  /** Rebuilds this worker's columns of the W mirror from the parameters, then waits for all. */
  sync(): void {
    const { params, mirror } = this.ctx;
    for (const { fanIn, units, wt, mirror: m } of this.layout.layers) {
      if (m < 0) continue;
      const [c0, c1] = this.ctx.share(units);
      for (let c = c0; c < c1; c++) {
        for (let i = 0; i < fanIn; i++) mirror[m + i * units + c] = params[wt + c * fanIn + i];
      }
    }
    this.ctx.barrier();
  }

  seedEpoch(seed: number): void {
    this.rng = createRng(seed);
  }

  /** The current parameters as wasm tensors: Wᵀ and bias (as a column) per layer, W after the first. */
  private upload() {
    const { params, mirror } = this.ctx;
    return this.layout.layers.map(({ fanIn, units, wt, bias, mirror: m }) => ({
      wt: tf.tensor2d(params.subarray(wt, wt + units * fanIn), [units, fanIn]),
      bias: tf.tensor2d(params.subarray(bias, bias + units), [units, 1]),
      w: m < 0 ? undefined : tf.tensor2d(mirror.subarray(m, m + fanIn * units), [fanIn, units]),
    }));
  }

  /** Forward pass on xt (fanIn × n); returns each layer's input (transposed) and the softmax. */
  private forward(weights: ReturnType<DenseEngine["upload"]>, n: number) {
    const inputs: tf.Tensor2D[] = [
      tf.tensor2d(this.xt.subarray(0, this.layout.layers[0].fanIn * n), [
        this.layout.layers[0].fanIn,
        n,
      ]),
    ];
    let logits: tf.Tensor2D | undefined;
    weights.forEach((layer, l) => {
      const z = tf.add(tf.matMul(layer.wt, inputs[l]), layer.bias) as tf.Tensor2D;
      if (l < weights.length - 1) inputs.push(tf.relu(z));
      else logits = z;
    });
    const probs = softmaxColumns(logits?.dataSync() as Float32Array, n);
    return { inputs, probs };
  }

  /** Transposes rows of `x` (n × fanIn) into xt (fanIn × n). */
  private transposeInput(n: number): void {
    const fanIn = this.layout.layers[0].fanIn;
    const { x, xt } = this;
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < fanIn; j++) xt[j * n + k] = x[k * fanIn + j];
    }
  }

  trainStep(start: number, batch: number, step: number): StepStats | undefined {
    const { ctx, layout, exchange: ex } = this;
    const shared = ctx.exchange;
    const [lo, hi] = ctx.share(batch);
    const n = hi - lo;
    const layers = layout.layers;
    const fanIn0 = layers[0].fanIn;
    const classes = layers[layers.length - 1].units;
    const { x, labels } = this;
    ctx.loadTrainBatch(start, lo, n, x, labels, this.rng);
    shared.set(x.subarray(0, n * fanIn0), ex.layers[0].input + lo * fanIn0);
    this.transposeInput(n);

    let stats: StepStats = { loss: 0, correct: 0 };
    tf.tidy(() => {
      const weights = this.upload();
      const { inputs, probs } = this.forward(weights, n);
      stats = scoreProbabilities(probs, labels, n, classes, undefined, true);
      // dLoss/dLogits = (p − onehot) / batch, transposed (classes × n).
      const dz = probs;
      for (let i = 0; i < dz.length; i++) dz[i] /= batch;
      for (let k = 0; k < n; k++) dz[labels[k] * n + k] -= 1 / batch;
      let dzt = tf.tensor2d(dz, [classes, n]);
      writeColumns(shared, ex.layers[layers.length - 1].dzt, batch, lo, dz, classes, n);
      for (let l = layers.length - 1; l >= 1; l--) {
        const input = inputs[l];
        const inputData = input.dataSync() as Float32Array;
        writeRows(shared, ex.layers[l].input, layers[l].fanIn, lo, inputData, n);
        const w = weights[l].w as tf.Tensor2D;
        dzt = tf.mul(tf.matMul(w, dzt), tf.step(input));
        writeColumns(
          shared,
          ex.layers[l - 1].dzt,
          batch,
          lo,
          dzt.dataSync() as Float32Array,
          layers[l - 1].units,
          n,
        );
      }
    });
    if (!ctx.barrier()) return undefined;

    tf.tidy(() => {
      layers.forEach(({ fanIn, units, wt, bias, mirror: m }, l) => {
        const [c0, c1] = ctx.share(units);
        if (c1 <= c0) return;
        const dztRows = shared.subarray(
          ex.layers[l].dzt + c0 * batch,
          ex.layers[l].dzt + c1 * batch,
        );
        const input = shared.subarray(ex.layers[l].input, ex.layers[l].input + batch * fanIn);
        const gt = tf.matMul(
          tf.tensor2d(dztRows, [c1 - c0, batch]),
          tf.tensor2d(input, [batch, fanIn]),
        );
        this.grads.set(gt.dataSync() as Float32Array, wt + c0 * fanIn);
        for (let c = c0; c < c1; c++) {
          let sum = 0;
          for (let k = 0; k < batch; k++) sum += dztRows[(c - c0) * batch + k];
          this.grads[bias + c] = sum;
        }
        const { optimizer } = ctx.setup;
        applyUpdate(
          optimizer,
          ctx.params,
          ctx.state,
          [this.grads],
          wt + c0 * fanIn,
          wt + c1 * fanIn,
          step,
        );
        applyUpdate(optimizer, ctx.params, ctx.state, [this.grads], bias + c0, bias + c1, step);
        if (m >= 0) {
          for (let c = c0; c < c1; c++) {
            for (let i = 0; i < fanIn; i++)
              ctx.mirror[m + i * units + c] = ctx.params[wt + c * fanIn + i];
          }
        }
      });
    });
    if (!ctx.barrier()) return undefined;
    return stats;
  }

  predict(from: number, n: number): StepStats {
    const { ctx } = this;
    const classes = this.layout.layers[this.layout.layers.length - 1].units;
    ctx.loadEvalBatch(from, n, this.x);
    this.transposeInput(n);
    let stats: StepStats = { loss: 0, correct: 0 };
    tf.tidy(() => {
      const { probs } = this.forward(this.upload(), n);
      const labels = ctx.evalLabels.subarray(from, from + n);
      stats = scoreProbabilities(
        probs,
        labels,
        n,
        classes,
        ctx.predictions.subarray(from, from + n),
        true,
      );
    });
    return stats;
  }
}

/** Writes the transpose of a (fanIn × n) block as rows [lo, lo+n) of a (batch × fanIn) matrix. */
function writeRows(
  target: Float32Array,
  offset: number,
  fanIn: number,
  lo: number,
  block: Float32Array,
  n: number,
): void {
  for (let k = 0; k < n; k++) {
    const row = offset + (lo + k) * fanIn;
    for (let i = 0; i < fanIn; i++) target[row + i] = block[i * n + k];
  }
}
