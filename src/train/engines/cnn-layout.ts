import type * as tfl from "@tensorflow/tfjs-layers";

/**
 * The sizes of the CNN of architectures.ts (conv 3×3 relu → max-pool 2 → conv 3×3 relu →
 * max-pool 2 → flatten → Dense relu → [Dropout] → Dense softmax) as the native CNN engine needs
 * them. Parameters lie in the TF.js model's own order (conv kernels HWIO, Dense kernels
 * fanIn × units, each followed by its bias), so checkpoints and optimizer state are the same
 * whichever engine trains.
 */
export interface CnnShape {
  height: number;
  width: number;
  channels: number;
  filters: [number, number];
  hidden: number;
  classes: number;
  dropout: number;
}

export interface CnnLayout extends CnnShape {
  /** Convolution outputs (h, w) and pooled outputs (h, w) of both blocks. */
  conv1: [number, number];
  pool1: [number, number];
  conv2: [number, number];
  pool2: [number, number];
  /** Features after flattening (pool2 h · w · filters2). */
  flat: number;
  /** Offsets into the flat parameters. */
  k1: number;
  b1: number;
  k2: number;
  b2: number;
  w3: number;
  b3: number;
  w4: number;
  b4: number;
  paramCount: number;
}

export function cnnLayout(shape: CnnShape): CnnLayout {
  const { height, width, channels, filters, hidden, classes } = shape;
  const conv1: [number, number] = [height - 2, width - 2];
  const pool1: [number, number] = [Math.floor(conv1[0] / 2), Math.floor(conv1[1] / 2)];
  const conv2: [number, number] = [pool1[0] - 2, pool1[1] - 2];
  const pool2: [number, number] = [Math.floor(conv2[0] / 2), Math.floor(conv2[1] / 2)];
  const flat = pool2[0] * pool2[1] * filters[1];
  const k1 = 0;
  const b1 = k1 + 9 * channels * filters[0];
  const k2 = b1 + filters[0];
  const b2 = k2 + 9 * filters[0] * filters[1];
  const w3 = b2 + filters[1];
  const b3 = w3 + flat * hidden;
  const w4 = b3 + hidden;
  const b4 = w4 + hidden * classes;
  const paramCount = b4 + classes;
  return { ...shape, conv1, pool1, conv2, pool2, flat, k1, b1, k2, b2, w3, b3, w4, b4, paramCount };
}

type Config = ReturnType<tfl.LayersModel["layers"][number]["getConfig"]>;

/** Whether a config value equals the expected list (sizes, strides, layer kinds). */
const same = (a: unknown, b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);

/** What the native CNN engine trains, in words (for the reason a model falls back). */
export const NATIVE_CNN_LAYERS =
  "conv 3×3 relu → max-pool 2 → conv 3×3 relu → max-pool 2 → flatten → Dense relu → [Dropout] → Dense softmax";

/** The CNN's sizes when `model` is exactly that network (any input size, filters, units). */
export function cnnShape(model: tfl.LayersModel): CnnShape | undefined {
  const match = matchCnn(model);
  return typeof match === "string" ? undefined : match;
}

/**
 * The CNN's sizes when `model` is exactly that network, else why not in a few words (the
 * training header and training.json say it, so a new shape never drops silently to autodiff).
 */
export function matchCnn(model: tfl.LayersModel): CnnShape | string {
  const layers = model.layers.map((l) => ({ kind: l.getClassName(), config: l.getConfig() }));
  const kinds = layers.map((l) => l.kind);
  const dropout = kinds.length === 8 && kinds[6] === "Dropout";
  const want = ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    .concat(dropout ? ["Dropout"] : [])
    .concat(["Dense"]);
  const mismatch = `its layers (${kinds.join(", ")}) are not the native CNN engine's (${NATIVE_CNN_LAYERS})`;
  if (!same(kinds, want)) return mismatch;
  const conv = (c: Config) =>
    same(c.kernelSize, [3, 3]) &&
    same(c.strides, [1, 1]) &&
    c.padding === "valid" &&
    c.activation === "relu" &&
    c.useBias !== false &&
    (c.dataFormat ?? "channelsLast") === "channelsLast" &&
    same(c.dilationRate, [1, 1]);
  const pool = (c: Config) =>
    same(c.poolSize, [2, 2]) && same(c.strides, [2, 2]) && c.padding === "valid";
  const dense1 = layers[5].config;
  const dense2 = layers[layers.length - 1].config;
  if (
    !conv(layers[0].config) ||
    !pool(layers[1].config) ||
    !conv(layers[2].config) ||
    !pool(layers[3].config) ||
    dense1.activation !== "relu" ||
    dense1.useBias === false ||
    dense2.activation !== "softmax" ||
    dense2.useBias === false
  ) {
    return `${mismatch.replace("its layers", "its layer settings")}: 3×3 valid convolutions of stride 1 with relu and bias, 2×2 pools of stride 2`;
  }
  const [, height, width, channels] = model.inputs[0].shape;
  if (!height || !width || !channels || height < 8 || width < 8) {
    return "the native CNN engine needs a fixed input of at least 8 × 8 pixels";
  }
  return {
    height,
    width,
    channels,
    filters: [layers[0].config.filters as number, layers[2].config.filters as number],
    hidden: dense1.units as number,
    classes: dense2.units as number,
    dropout: dropout ? (layers[6].config.rate as number) : 0,
  };
}
