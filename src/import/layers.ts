import { ImportError } from "./import-error.ts";
import type { Config, LayerEntry } from "./keras-config.ts";

/**
 * The Keras layers DigitKit imports, each read from its configuration into one plain record,
 * with its output shape and the weights it needs (in Keras's order). The shapes follow
 * Keras's rules: channels-last, `padding="same"` keeps ceil(size / stride), Dense kernels
 * [inputs, units], depthwise kernels [h, w, channels, multiplier].
 */

export type ActivationName = "linear" | "relu" | "relu6" | "softmax";

export interface Weight {
  shape: number[];
  values: Float32Array;
}

export type LayerSpec =
  | { kind: "input" }
  | { kind: "dense"; units: number; activation: ActivationName; useBias: boolean }
  | {
      kind: "conv2d" | "depthwise";
      filters: number;
      multiplier: number;
      kernel: [number, number];
      strides: [number, number];
      dilation: [number, number];
      padding: "same" | "valid";
      activation: ActivationName;
      useBias: boolean;
    }
  | {
      kind: "pool";
      type: "max" | "avg";
      pool: [number, number];
      strides: [number, number];
      padding: "same" | "valid";
    }
  | { kind: "globalAvgPool"; keepDims: boolean }
  | { kind: "flatten" }
  | { kind: "reshape"; target: number[] }
  | { kind: "noop"; reason: string }
  | { kind: "batchNorm"; epsilon: number; center: boolean; scale: boolean }
  | { kind: "activation"; activation: ActivationName }
  | { kind: "leakyRelu"; alpha: number }
  | { kind: "rescaling"; scale: number; offset: number };

export interface ImportedLayer {
  name: string;
  className: string;
  spec: LayerSpec;
  inputShape: number[];
  outputShape: number[];
  /** Weight shapes the layer needs, in Keras's order (kernel, bias; gamma, beta, mean, variance). */
  weightShapes: { name: string; shape: number[] }[];
  weights: Weight[];
}

/** Layers that do nothing at inference, and why they are dropped. */
const NO_OPS: Record<string, string> = {
  Dropout: "dropout is identity at inference",
  SpatialDropout1D: "dropout is identity at inference",
  SpatialDropout2D: "dropout is identity at inference",
  AlphaDropout: "dropout is identity at inference",
  GaussianDropout: "noise is only added in training",
  GaussianNoise: "noise is only added in training",
  ActivityRegularization: "regularization only acts in training",
};

const MAX_UNITS = 1 << 16;
const MAX_ELEMENTS = 1 << 24;

function fail(entry: LayerEntry, what: string): never {
  throw new ImportError(`layer "${entry.name}" (${entry.className}): ${what}`);
}

function activationOf(entry: LayerEntry, value: unknown): ActivationName {
  const name = value === undefined || value === null ? "linear" : value;
  if (name === "linear" || name === "relu" || name === "relu6" || name === "softmax") return name;
  const shown = typeof name === "string" ? name : JSON.stringify(name).slice(0, 60);
  return fail(entry, `activation "${shown}" is not supported (linear, relu, relu6, softmax)`);
}

function positiveInt(entry: LayerEntry, key: string, value: unknown, max = MAX_UNITS): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) {
    fail(entry, `${key} ${JSON.stringify(value)} is not a whole number from 1 to ${max}`);
  }
  return value as number;
}

function pairOf(entry: LayerEntry, key: string, value: unknown): [number, number] {
  const list = Array.isArray(value) ? value : [value, value];
  if (list.length !== 2) fail(entry, `${key} must have two values`);
  return [positiveInt(entry, key, list[0], 1024), positiveInt(entry, key, list[1], 1024)];
}

function paddingOf(entry: LayerEntry, value: unknown): "same" | "valid" {
  const p = value ?? "valid";
  if (p === "same" || p === "valid") return p;
  return fail(entry, `padding "${String(p)}" is not supported (valid, same)`);
}

function channelsLast(entry: LayerEntry, c: Config) {
  const format = c.data_format ?? "channels_last";
  if (format !== "channels_last") fail(entry, `data_format ${String(format)} is not supported`);
}

function windowOut(
  entry: LayerEntry,
  size: number,
  window: number,
  stride: number,
  dilation: number,
  padding: "same" | "valid",
): number {
  const effective = (window - 1) * dilation + 1;
  const out =
    padding === "same" ? Math.ceil(size / stride) : Math.floor((size - effective) / stride) + 1;
  if (out < 1) fail(entry, `a ${window}×${window} window does not fit a ${size}-pixel input`);
  return out;
}

function image(entry: LayerEntry, shape: number[]): [number, number, number] {
  if (shape.length !== 3) fail(entry, `needs an image input [h, w, channels], got [${shape}]`);
  return shape as [number, number, number];
}

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads one layer entry against the shape that reaches it. */
export function describeLayer(entry: LayerEntry, inputShape: number[]): ImportedLayer {
  const c = entry.config;
  const base = { name: entry.name, className: entry.className, inputShape, weights: [] };
  const done = (
    spec: LayerSpec,
    outputShape: number[],
    weightShapes: { name: string; shape: number[] }[] = [],
  ): ImportedLayer => {
    if (count(outputShape) > MAX_ELEMENTS) fail(entry, `output [${outputShape}] is too large`);
    return { ...base, spec, outputShape, weightShapes };
  };
  if (entry.className in NO_OPS) {
    return done({ kind: "noop", reason: NO_OPS[entry.className] }, inputShape);
  }
  switch (entry.className) {
    case "InputLayer":
      return done({ kind: "input" }, inputShape);
    case "Dense": {
      if (inputShape.length !== 1) {
        fail(entry, `Dense on a ${inputShape.length}-D input [${inputShape}] is not supported`);
      }
      const units = positiveInt(entry, "units", c.units);
      const useBias = c.use_bias !== false;
      const spec: LayerSpec = {
        kind: "dense",
        units,
        activation: activationOf(entry, c.activation),
        useBias,
      };
      const weights = [{ name: "kernel", shape: [inputShape[0], units] }];
      if (useBias) weights.push({ name: "bias", shape: [units] });
      return done(spec, [units], weights);
    }
    case "Conv2D":
    case "DepthwiseConv2D": {
      channelsLast(entry, c);
      const [h, w, channels] = image(entry, inputShape);
      if (c.groups !== undefined && c.groups !== 1)
        fail(entry, `groups ${String(c.groups)} is not supported`);
      const depthwise = entry.className === "DepthwiseConv2D";
      const multiplier = depthwise
        ? positiveInt(entry, "depth_multiplier", c.depth_multiplier ?? 1, 64)
        : 1;
      const filters = depthwise ? channels * multiplier : positiveInt(entry, "filters", c.filters);
      const kernel = pairOf(entry, "kernel_size", c.kernel_size);
      const strides = pairOf(entry, "strides", c.strides ?? 1);
      const dilation = pairOf(entry, "dilation_rate", c.dilation_rate ?? 1);
      if ((strides[0] > 1 || strides[1] > 1) && (dilation[0] > 1 || dilation[1] > 1)) {
        fail(entry, "strides and dilation together are not supported");
      }
      const padding = paddingOf(entry, c.padding);
      const useBias = c.use_bias !== false;
      const spec: LayerSpec = {
        kind: depthwise ? "depthwise" : "conv2d",
        filters,
        multiplier,
        kernel,
        strides,
        dilation,
        padding,
        activation: activationOf(entry, c.activation),
        useBias,
      };
      const out = [
        windowOut(entry, h, kernel[0], strides[0], dilation[0], padding),
        windowOut(entry, w, kernel[1], strides[1], dilation[1], padding),
        filters,
      ];
      const weights = [
        {
          name: depthwise ? "depthwise_kernel" : "kernel",
          shape: depthwise ? [...kernel, channels, multiplier] : [...kernel, channels, filters],
        },
      ];
      if (useBias) weights.push({ name: "bias", shape: [filters] });
      return done(spec, out, weights);
    }
    case "MaxPooling2D":
    case "AveragePooling2D": {
      channelsLast(entry, c);
      const [h, w, channels] = image(entry, inputShape);
      const pool = pairOf(entry, "pool_size", c.pool_size ?? 2);
      const strides = pairOf(entry, "strides", c.strides ?? pool);
      const padding = paddingOf(entry, c.padding);
      const type = entry.className === "MaxPooling2D" ? "max" : "avg";
      const out = [
        windowOut(entry, h, pool[0], strides[0], 1, padding),
        windowOut(entry, w, pool[1], strides[1], 1, padding),
        channels,
      ];
      return done({ kind: "pool", type, pool, strides, padding }, out);
    }
    case "GlobalAveragePooling2D": {
      channelsLast(entry, c);
      const [, , channels] = image(entry, inputShape);
      const keepDims = c.keepdims === true;
      return done({ kind: "globalAvgPool", keepDims }, keepDims ? [1, 1, channels] : [channels]);
    }
    case "Flatten":
      return done({ kind: "flatten" }, [count(inputShape)]);
    case "Reshape": {
      const target = c.target_shape;
      if (!Array.isArray(target) || target.length === 0 || target.length > 4) {
        fail(entry, "target_shape must be a list of 1 to 4 sizes");
      }
      const unknown = target.filter((d) => d === -1 || d === null).length;
      const known = target.filter((d) => d !== -1 && d !== null);
      if (unknown > 1 || !known.every((d) => Number.isInteger(d) && d > 0)) {
        fail(entry, `target_shape ${JSON.stringify(target)} is not a shape`);
      }
      const total = count(inputShape);
      const product = count(known as number[]);
      const resolved = target.map((d) =>
        d === -1 || d === null ? total / product : d,
      ) as number[];
      if (count(resolved) !== total || !resolved.every(Number.isInteger)) {
        fail(entry, `cannot reshape [${inputShape}] to ${JSON.stringify(target)}`);
      }
      return done({ kind: "reshape", target: resolved }, resolved);
    }
    case "BatchNormalization": {
      const rank = inputShape.length;
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : (c.axis ?? -1);
      if (axis !== -1 && axis !== rank)
        fail(
          entry,
          `normalizing axis ${JSON.stringify(c.axis)} (not the channels) is not supported`,
        );
      const epsilon = typeof c.epsilon === "number" && c.epsilon >= 0 ? c.epsilon : 0.001;
      const center = c.center !== false;
      const scale = c.scale !== false;
      const channels = inputShape[rank - 1];
      const weights = [];
      if (scale) weights.push({ name: "gamma", shape: [channels] });
      if (center) weights.push({ name: "beta", shape: [channels] });
      weights.push(
        { name: "moving_mean", shape: [channels] },
        { name: "moving_variance", shape: [channels] },
      );
      return done({ kind: "batchNorm", epsilon, center, scale }, inputShape, weights);
    }
    case "Activation":
      return done(
        { kind: "activation", activation: activationOf(entry, c.activation) },
        inputShape,
      );
    case "ReLU": {
      const slope = c.negative_slope ?? 0;
      const threshold = c.threshold ?? 0;
      const max = c.max_value ?? null;
      if (slope !== 0 || threshold !== 0 || (max !== null && max !== 6)) {
        fail(
          entry,
          "only ReLU without negative_slope or threshold, capped at nothing or 6, is supported",
        );
      }
      return done({ kind: "activation", activation: max === 6 ? "relu6" : "relu" }, inputShape);
    }
    case "Softmax": {
      const axis = c.axis ?? -1;
      if (axis !== -1 && axis !== inputShape.length)
        fail(entry, "softmax over an axis other than the last is not supported");
      return done({ kind: "activation", activation: "softmax" }, inputShape);
    }
    case "LeakyReLU": {
      const alpha = c.negative_slope ?? c.alpha ?? 0.3;
      if (typeof alpha !== "number" || !Number.isFinite(alpha))
        fail(entry, "negative_slope is not a number");
      return done({ kind: "leakyRelu", alpha }, inputShape);
    }
    case "Rescaling": {
      const scale = c.scale ?? 1;
      const offset = c.offset ?? 0;
      if (
        typeof scale !== "number" ||
        typeof offset !== "number" ||
        !Number.isFinite(scale) ||
        !Number.isFinite(offset)
      ) {
        fail(entry, "only one scale and one offset for all values are supported");
      }
      return done({ kind: "rescaling", scale, offset }, inputShape);
    }
    default:
      throw new ImportError(`layer "${entry.name}" (${entry.className}) is not supported`);
  }
}

/** Names the first layer whose class is not supported, before any shape or chain problem. */
export function checkSupported(entries: LayerEntry[]): void {
  for (const entry of entries) {
    if (!(entry.className in NO_OPS) && !SUPPORTED.has(entry.className)) {
      throw new ImportError(`layer "${entry.name}" (${entry.className}) is not supported`);
    }
  }
}

/** Every layer of a chain, with shapes followed from the input. */
export function describeChain(entries: LayerEntry[], inputShape: number[]): ImportedLayer[] {
  checkSupported(entries);
  const layers: ImportedLayer[] = [];
  let shape = inputShape;
  for (const entry of entries) {
    const layer = describeLayer(entry, shape);
    layers.push(layer);
    shape = layer.outputShape;
  }
  return layers;
}

const SUPPORTED = new Set([
  "InputLayer",
  "Dense",
  "Conv2D",
  "DepthwiseConv2D",
  "MaxPooling2D",
  "AveragePooling2D",
  "GlobalAveragePooling2D",
  "Flatten",
  "Reshape",
  "BatchNormalization",
  "Activation",
  "ReLU",
  "Softmax",
  "LeakyReLU",
  "Rescaling",
]);
