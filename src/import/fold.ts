import type { ImportedLayer, LayerSpec, Weight } from "./layers.ts";

/**
 * Rewrites an imported chain for inference, the way TensorFlow's converter does, without
 * changing what it computes:
 * - layers that do nothing at inference (Dropout, noise) are dropped;
 * - an Activation / ReLU / Softmax right after a Dense or convolution with no activation of
 *   its own becomes that layer's activation (TFLite fuses relu into the op);
 * - BatchNormalization ((x − mean) / √(variance + ε) · γ + β, per channel) and Rescaling
 *   (x · scale + offset) are per-channel affine maps, folded into the weights of the layer
 *   before them when that layer has no activation, else into the next Dense or convolution
 *   (across Flatten, pooling and global pooling, which commute with them — max pooling only
 *   for positive scales; a "same" convolution only without offset, as its zero padding would
 *   not be shifted); otherwise they stay, to be exported as MUL and ADD.
 * Each decision is noted in words for the conversion summary.
 */

export interface FoldResult {
  layers: ImportedLayer[];
  notes: string[];
}

type Weighted = ImportedLayer & {
  spec: Extract<LayerSpec, { kind: "dense" | "conv2d" | "depthwise" }>;
};

function isWeighted(layer: ImportedLayer | undefined): layer is Weighted {
  const kind = layer?.spec.kind;
  return kind === "dense" || kind === "conv2d" || kind === "depthwise";
}

function clone(layer: ImportedLayer): ImportedLayer {
  return {
    ...layer,
    spec: { ...layer.spec } as LayerSpec,
    weightShapes: layer.weightShapes.map((w) => ({ ...w, shape: w.shape.slice() })),
    weights: layer.weights.map((w) => ({
      shape: w.shape.slice(),
      values: Float32Array.from(w.values),
    })),
  };
}

interface Affine {
  scale: Float64Array;
  shift: Float64Array;
}

function affineOf(layer: ImportedLayer): Affine {
  const channels = layer.inputShape[layer.inputShape.length - 1];
  const s = layer.spec;
  if (s.kind === "rescaling") {
    return {
      scale: new Float64Array(channels).fill(s.scale),
      shift: new Float64Array(channels).fill(s.offset),
    };
  }
  if (s.kind !== "batchNorm") throw new Error("not an affine layer");
  let w = 0;
  const gamma = s.scale ? layer.weights[w++].values : undefined;
  const beta = s.center ? layer.weights[w++].values : undefined;
  const mean = layer.weights[w++].values;
  const variance = layer.weights[w++].values;
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + s.epsilon);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  return { scale, shift };
}

/** Output channels of a weighted layer, and the output channel of kernel element k. */
function outputChannels(layer: Weighted): number {
  return layer.spec.kind === "dense" ? layer.spec.units : layer.spec.filters;
}

function ensureBias(layer: Weighted): Weight {
  if (layer.weights.length < 2) {
    const n = outputChannels(layer);
    layer.weights.push({ shape: [n], values: new Float32Array(n) });
    layer.weightShapes.push({ name: "bias", shape: [n] });
    layer.spec.useBias = true;
  }
  return layer.weights[1];
}

/** y = affine(layer(x)) with layer linear: scale its output channels, shift its bias. */
function foldAfter(layer: Weighted, { scale, shift }: Affine): void {
  const kernel = layer.weights[0].values;
  const out = outputChannels(layer);
  for (let k = 0; k < kernel.length; k++) kernel[k] = Math.fround(kernel[k] * scale[k % out]);
  const bias = ensureBias(layer).values;
  for (let o = 0; o < out; o++) bias[o] = Math.fround(bias[o] * scale[o] + shift[o]);
}

/** y = layer(affine(x)): scale the kernel's input channels, add the shift's response to the bias. */
function foldBefore(layer: Weighted, { scale, shift }: Affine): void {
  const kernel = layer.weights[0].values;
  const shape = layer.weights[0].shape;
  const channels = scale.length;
  const last = shape[shape.length - 1];
  // Kernel element k: its input channel, and the output channel it feeds.
  const inputOf =
    layer.spec.kind === "dense"
      ? (k: number) => Math.floor(k / last) % channels
      : (k: number) => Math.floor(k / last) % shape[2];
  const outputOf =
    layer.spec.kind === "depthwise"
      ? (k: number) => k % (shape[2] * last)
      : (k: number) => k % last;
  const out = outputChannels(layer);
  const added = new Float64Array(out);
  for (let k = 0; k < kernel.length; k++) {
    const c = inputOf(k);
    added[outputOf(k)] += kernel[k] * shift[c];
    kernel[k] = Math.fround(kernel[k] * scale[c]);
  }
  const bias = ensureBias(layer).values;
  for (let o = 0; o < out; o++) bias[o] = Math.fround(bias[o] + added[o]);
}

/** The index of the layer after `from` that can absorb an affine map, or why none can. */
function forwardTarget(layers: ImportedLayer[], from: number, affine: Affine): number | string {
  const positive = affine.scale.every((v) => v > 0);
  const noShift = affine.shift.every((v) => v === 0);
  let image = layers[from].inputShape.length === 3;
  for (let j = from + 1; j < layers.length; j++) {
    const layer = layers[j];
    const s = layer.spec;
    switch (s.kind) {
      case "noop":
      case "input":
        continue;
      case "flatten":
      case "globalAvgPool":
        image = false;
        continue;
      case "pool":
        if (s.type === "max" && !positive)
          return `max pooling "${layer.name}" follows and a scale is not positive`;
        continue;
      case "dense":
        return j;
      case "conv2d":
      case "depthwise":
        if (!image) return `"${layer.name}" is not on the same image`;
        if (s.padding === "same" && !noShift)
          return `"${layer.name}" pads with zeros ("same") and the offset is not zero`;
        return j;
      default:
        return `the next layer "${layer.name}" (${layer.className}) cannot absorb it`;
    }
  }
  return "no Dense or convolution follows";
}

export function foldForInference(source: ImportedLayer[]): FoldResult {
  const layers = source.map(clone);
  const out: ImportedLayer[] = [];
  const notes: string[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const s = layer.spec;
    const label = `${layer.name} (${layer.className})`;
    const prev = out[out.length - 1];
    if (s.kind === "input") continue;
    if (s.kind === "noop") {
      notes.push(`${label}: dropped, ${s.reason}`);
      continue;
    }
    if (s.kind === "activation") {
      if (s.activation === "linear") {
        notes.push(`${label}: dropped, a linear activation is the identity`);
        continue;
      }
      if (isWeighted(prev) && prev.spec.activation === "linear") {
        prev.spec.activation = s.activation;
        notes.push(`${label}: fused into ${prev.name} as its ${s.activation} activation`);
        continue;
      }
    }
    if (s.kind === "batchNorm" || s.kind === "rescaling") {
      const affine = affineOf(layer);
      if (isWeighted(prev) && prev.spec.activation === "linear") {
        foldAfter(prev, affine);
        notes.push(`${label}: folded into the weights of ${prev.name}, the layer before it`);
        continue;
      }
      const target = forwardTarget(layers, i, affine);
      if (typeof target === "number") {
        const next = layers[target] as Weighted;
        foldBefore(next, affine);
        const why = prev ? ` (${prev.name} before it has an activation)` : "";
        notes.push(
          `${label}: folded into the weights of ${next.name}, the next layer that can take it${why}`,
        );
        continue;
      }
      notes.push(`${label}: kept as MUL and ADD ops, as it cannot be folded: ${target}`);
    }
    out.push(layer);
  }
  return { layers: out, notes };
}
