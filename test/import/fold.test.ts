import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { buildTfjsModel } from "../../src/import/build.ts";
import { foldForInference } from "../../src/import/fold.ts";
import { parseModelConfig } from "../../src/import/keras-config.ts";
import { describeChain, type ImportedLayer } from "../../src/import/layers.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import { maxAbsDiff, testDigits, tfjsOutputs } from "../tflite/helpers.ts";

// Folding must not change what a model computes: TF.js runs the model as Keras wrote it and as
// folded, on real digits, and the two agree to float32 rounding.
before(() => useWasmBackend());

/** A TF.js model as the importer's chain (its Keras JSON and its weights). */
function chainOf(model: tfl.LayersModel): ImportedLayer[] {
  const config = parseModelConfig(model.toJSON(null, false));
  const layers = describeChain(config.layers, config.inputShape!);
  for (const layer of layers) {
    if (layer.weightShapes.length === 0) continue;
    layer.weights = model
      .getLayer(layer.name)
      .getWeights()
      .map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array }));
  }
  return layers;
}

function withStatistics(model: tfl.LayersModel, name: string, negative = false): void {
  const layer = model.getLayer(name);
  const n = layer.getWeights()[0].shape[0];
  const ramp = (a: number, b: number) =>
    tf.tensor(Array.from({ length: n }, (_, i) => a + (b * i) / n));
  layer.setWeights([
    negative ? ramp(-1, 2) : ramp(0.5, 1),
    ramp(-0.3, 0.6),
    ramp(-0.2, 0.4),
    ramp(0.3, 1.5),
  ]);
}

async function foldsExactly(
  model: tfl.LayersModel,
  expectNotes: RegExp[],
): Promise<ImportedLayer[]> {
  const chain = chainOf(model);
  const folded = foldForInference(chain);
  for (const note of expectNotes)
    assert.ok(
      folded.notes.some((n) => note.test(n)),
      `${note} in ${folded.notes.join(" | ")}`,
    );
  const { inputs, count } = await testDigits(100);
  const diff = maxAbsDiff(
    tfjsOutputs(buildTfjsModel(folded.layers, chain[0].inputShape), inputs, count),
    tfjsOutputs(model, inputs, count),
  );
  assert.ok(diff < 1e-5, `folding changed the outputs by ${diff}`);
  return folded.layers;
}

const seed = (n: number) => tfl.initializers.glorotUniform({ seed: n });

test("Rescaling and BatchNormalization fold forward into valid convolutions, depthwise ones too", async () => {
  const model = tfl.sequential();
  model.add(
    tfl.layers.rescaling({ inputShape: [28, 28, 1], scale: 3, offset: -0.5, name: "rescale" }),
  );
  model.add(
    tfl.layers.conv2d({
      name: "c1",
      filters: 6,
      kernelSize: 3,
      activation: "relu",
      kernelInitializer: seed(1),
    }),
  );
  model.add(tfl.layers.batchNormalization({ name: "bn1" }));
  model.add(
    tfl.layers.depthwiseConv2d({
      name: "dw",
      kernelSize: 3,
      depthMultiplier: 2,
      activation: "relu",
      depthwiseInitializer: seed(2),
    }),
  );
  model.add(tfl.layers.flatten({ name: "flat" }));
  model.add(
    tfl.layers.dense({ name: "out", units: 10, activation: "softmax", kernelInitializer: seed(3) }),
  );
  withStatistics(model, "bn1");
  const layers = await foldsExactly(model, [
    /rescale \(Rescaling\): folded into the weights of c1/,
    /bn1 \(BatchNormalization\): folded into the weights of dw/,
  ]);
  assert.deepEqual(
    layers.map((l) => l.className),
    ["Conv2D", "DepthwiseConv2D", "Flatten", "Dense"],
  );
});

test("BatchNormalization with a negative scale stays before max pooling; with positive ones it crosses it", async () => {
  for (const negative of [false, true]) {
    const model = tfl.sequential();
    model.add(
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        name: "c",
        filters: 4,
        kernelSize: 3,
        activation: "relu",
        kernelInitializer: seed(4),
      }),
    );
    model.add(tfl.layers.batchNormalization({ name: "bn" }));
    model.add(tfl.layers.maxPooling2d({ name: "pool", poolSize: 2 }));
    model.add(tfl.layers.flatten({ name: "flat" }));
    model.add(
      tfl.layers.dense({
        name: "out",
        units: 10,
        activation: "softmax",
        kernelInitializer: seed(5),
      }),
    );
    withStatistics(model, "bn", negative);
    const layers = await foldsExactly(model, [
      negative
        ? /bn \(BatchNormalization\): kept as MUL and ADD ops.*scale is not positive/
        : /bn \(BatchNormalization\): folded into the weights of out/,
    ]);
    assert.equal(
      layers.some((l) => l.className === "BatchNormalization"),
      negative,
    );
  }
});

test("BatchNormalization after a linear Dense folds back into it, and an Activation after it fuses", async () => {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [28, 28, 1], name: "flat" }));
  model.add(tfl.layers.dense({ name: "d", units: 32, useBias: false, kernelInitializer: seed(6) }));
  model.add(tfl.layers.batchNormalization({ name: "bn" }));
  model.add(tfl.layers.activation({ name: "act", activation: "relu" }));
  model.add(
    tfl.layers.dense({ name: "out", units: 10, activation: "softmax", kernelInitializer: seed(7) }),
  );
  withStatistics(model, "bn");
  const layers = await foldsExactly(model, [
    /bn \(BatchNormalization\): folded into the weights of d, the layer before it/,
    /act \(Activation\): fused into d/,
  ]);
  assert.deepEqual(
    layers.map((l) => l.className),
    ["Flatten", "Dense", "Dense"],
  );
});
