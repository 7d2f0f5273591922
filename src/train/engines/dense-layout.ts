/**
 * Memory layout of the hand-written Dense engine. Parameters are kept per layer as Wᵀ (one row
 * per unit, `out × in`, as PyTorch's Linear stores them) followed by the bias, because Wᵀ is what
 * the forward product Zᵀ = Wᵀ·Aᵀ reads and because a worker that owns units [c0, c1) then owns a
 * contiguous run of rows. A mirror holds W (`in × out`) of the layers after the first, for the
 * backward product dAᵀ = W·dZᵀ. The model's own order (W, b per layer) is used only at the edges.
 */
export interface DenseLayer {
  fanIn: number;
  units: number;
  /** Offset of Wᵀ in the parameters. */
  wt: number;
  /** Offset of the bias in the parameters. */
  bias: number;
  /** Offset of W in the mirror, or -1 for the first layer (its input gradient is never needed). */
  mirror: number;
}

export interface DenseLayout {
  layers: DenseLayer[];
  paramCount: number;
  mirrorSize: number;
}

export function denseLayout(sizes: number[]): DenseLayout {
  const layers: DenseLayer[] = [];
  let offset = 0;
  let mirror = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [fanIn, units] = [sizes[l], sizes[l + 1]];
    layers.push({
      fanIn,
      units,
      wt: offset,
      bias: offset + fanIn * units,
      mirror: l === 0 ? -1 : mirror,
    });
    offset += (fanIn + 1) * units;
    if (l > 0) mirror += fanIn * units;
  }
  return { layers, paramCount: offset, mirrorSize: mirror };
}

/** Model order (W `in × out`, b, …) → engine order (Wᵀ, b, …). */
export function toDenseOrder(model: Float32Array, layout: DenseLayout): Float32Array {
  const out = new Float32Array(layout.paramCount);
  for (const { fanIn, units, wt, bias } of layout.layers) {
    for (let i = 0; i < fanIn; i++) {
      for (let c = 0; c < units; c++) out[wt + c * fanIn + i] = model[wt + i * units + c];
    }
    out.set(model.subarray(bias, bias + units), bias);
  }
  return out;
}

/** Engine order → model order. */
export function fromDenseOrder(engine: Float32Array, layout: DenseLayout): Float32Array {
  const out = new Float32Array(layout.paramCount);
  for (const { fanIn, units, wt, bias } of layout.layers) {
    for (let c = 0; c < units; c++) {
      for (let i = 0; i < fanIn; i++) out[wt + i * units + c] = engine[wt + c * fanIn + i];
    }
    out.set(engine.subarray(bias, bias + units), bias);
  }
  return out;
}

/**
 * Offsets (in floats) of the buffers through which the workers exchange a batch: per layer the
 * gradient at its pre-activations, transposed (`units × batch`), and its input (`batch × fanIn`).
 */
export function exchangeLayout(layout: DenseLayout, batchSize: number) {
  let offset = 0;
  const layers = layout.layers.map(({ fanIn, units }) => {
    const entry = { dzt: offset, input: offset + units * batchSize };
    offset += (units + fanIn) * batchSize;
    return entry;
  });
  return { layers, size: offset };
}
