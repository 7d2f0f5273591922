import assert from "node:assert/strict";
import { test } from "node:test";
import * as tfl from "@tensorflow/tfjs-layers";
import { buildModel } from "../../../src/model/architectures.ts";
import { chooseEngine, describeEngine, stateLayout } from "../../../src/train/engines/choice.ts";
import { useWasmBackend } from "../../../src/train/engines/tfjs-wasm-backend.ts";
import { kernels } from "../train-runs.ts";

// The engine is chosen once (choice.ts); a model no hand-written engine takes says why.

await useWasmBackend();

test("the tutorial network and the CNN get the native engines, on the CPU's fastest path", () => {
  const isa = kernels().isa;
  const mlp = chooseEngine(buildModel("mlp"), { arch: "mlp", dropout: 0 });
  assert.deepEqual(mlp, { kind: "native-dense", sizes: [784, 512, 512, 10], isa });
  assert.equal(stateLayout(mlp), "dense");
  const cnn = chooseEngine(buildModel("cnn"), { arch: "cnn", dropout: 0 });
  assert.equal(cnn.kind, "native-cnn");
  assert.equal(describeEngine(cnn), `hand-written CNN passes, native C++ kernels (${isa})`);
  const wasm = chooseEngine(buildModel("mlp"), { arch: "mlp", dropout: 0, native: false });
  assert.equal(wasm.kind, "wasm-dense");
  assert.equal(stateLayout(wasm), "dense");
});

test("a model the native engines do not take falls back to autodiff and says why", () => {
  const dropout = chooseEngine(buildModel("mlp", { dropout: 0.2 }), { arch: "mlp", dropout: 0.2 });
  assert.equal(dropout.kind, "autodiff");
  assert.match(describeEngine(dropout), /^TF\.js autodiff.*; not native: .*without dropout/);
  // A CNN of another shape: one 5×5 convolution.
  const other = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, activation: "relu" }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
  const fallback = chooseEngine(other, { arch: "cnn", dropout: 0 });
  assert.equal(fallback.kind, "autodiff");
  assert.match(describeEngine(fallback), /not native: its layers \(Conv2D, Flatten, Dense\)/);
  const off = chooseEngine(buildModel("cnn"), { arch: "cnn", dropout: 0, native: false });
  assert.equal(stateLayout(off), "autodiff");
  assert.match(describeEngine(off), /not native: native kernels off/);
});
