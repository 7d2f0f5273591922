import { tensor } from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { ImportedLayer } from "./layers.ts";

/**
 * An imported chain as a TF.js Layers model (TF.js's own Keras layers, with the file's
 * weights): both the independent arithmetic an import is checked against and, after folding,
 * what the exporter turns into TFLite ops. Needs a TF.js backend to be set.
 */
export function buildTfjsModel(
  layers: ImportedLayer[],
  inputShape: number[],
  name = "imported",
): tfl.Sequential {
  const model = tfl.sequential({ name: name.replace(/[^A-Za-z0-9_.-]/g, "_") || "imported" });
  model.add(tfl.layers.inputLayer({ inputShape, name: "input" }));
  for (const layer of layers) {
    for (const built of tfjsLayers(layer)) model.add(built);
  }
  for (const layer of layers) {
    if (layer.weights.length === 0) continue;
    model
      .getLayer(layer.name)
      .setWeights(layer.weights.map((w) => tensor(w.values, w.shape, "float32")));
  }
  return model;
}

function tfjsLayers(layer: ImportedLayer): tfl.layers.Layer[] {
  const s = layer.spec;
  const name = layer.name;
  switch (s.kind) {
    case "input":
      return [];
    case "noop":
      return [tfl.layers.dropout({ name, rate: 0.5 })];
    case "dense":
      return [
        tfl.layers.dense({ name, units: s.units, activation: s.activation, useBias: s.useBias }),
      ];
    case "conv2d":
      return [
        tfl.layers.conv2d({
          name,
          filters: s.filters,
          kernelSize: s.kernel,
          strides: s.strides,
          dilationRate: s.dilation,
          padding: s.padding,
          activation: s.activation,
          useBias: s.useBias,
        }),
      ];
    case "depthwise":
      return [
        tfl.layers.depthwiseConv2d({
          name,
          kernelSize: s.kernel,
          depthMultiplier: s.multiplier,
          strides: s.strides,
          dilationRate: s.dilation,
          padding: s.padding,
          activation: s.activation,
          useBias: s.useBias,
        }),
      ];
    case "pool": {
      const args = { name, poolSize: s.pool, strides: s.strides, padding: s.padding };
      return [s.type === "max" ? tfl.layers.maxPooling2d(args) : tfl.layers.averagePooling2d(args)];
    }
    case "globalAvgPool": {
      const pool = tfl.layers.globalAveragePooling2d({ name });
      return s.keepDims
        ? [pool, tfl.layers.reshape({ name: `${name}_keepdims`, targetShape: layer.outputShape })]
        : [pool];
    }
    case "flatten":
      return [tfl.layers.flatten({ name })];
    case "reshape":
      return [tfl.layers.reshape({ name, targetShape: s.target })];
    case "batchNorm":
      return [
        tfl.layers.batchNormalization({
          name,
          epsilon: s.epsilon,
          center: s.center,
          scale: s.scale,
          axis: -1,
        }),
      ];
    case "activation":
      return [tfl.layers.activation({ name, activation: s.activation })];
    case "leakyRelu":
      return [tfl.layers.leakyReLU({ name, alpha: s.alpha })];
    case "rescaling":
      return [tfl.layers.rescaling({ name, scale: s.scale, offset: s.offset })];
  }
}
