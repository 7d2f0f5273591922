import assert from "node:assert/strict";
import { before, test } from "node:test";
import { zipSync } from "fflate";
import { importModelBytes } from "../../src/import/load.ts";
import { readZipEntries } from "../../src/import/zip.ts";
import { useWasmBackend } from "../../src/train/engines/tfjs-wasm-backend.ts";
import { UserError } from "../../src/util/errors.ts";
import { wildFile } from "./helpers.ts";

// Damaged and hostile Keras files: each is one plain line (a UserError), found within bounds.
before(() => useWasmBackend());

const encode = (text: string) => new TextEncoder().encode(text);

function refused(bytes: Uint8Array, pattern: RegExp, options = {}): void {
  const started = performance.now();
  assert.throws(
    () => importModelBytes(bytes, options),
    (error: unknown) => {
      assert.ok(error instanceof UserError, `not a UserError: ${error}`);
      assert.equal(error.message.split("\n").length, 1);
      assert.match(error.message, pattern);
      return true;
    },
  );
  assert.ok(performance.now() - started < 5000, "took too long");
}

/** A .keras archive around a configuration, with the real weights of the shared Keras 3 file. */
function kerasArchive(config: unknown, extra: Record<string, Uint8Array> = {}): Uint8Array {
  const real = readZipEntries(wildFile("keras3-cnn-batchnorm.keras"), {
    "model.weights.h5": 1 << 24,
  });
  return zipSync({
    "metadata.json": encode('{"keras_version": "3.13.2"}'),
    "config.json": encode(typeof config === "string" ? config : JSON.stringify(config)),
    "model.weights.h5": real.get("model.weights.h5")!,
    ...extra,
  });
}

test("a file of another kind, or none, is named as such", () => {
  refused(encode("hello, not a model"), /not a Keras model/);
  refused(new Uint8Array(0), /not a Keras model/);
});

test("a truncated .h5 or .keras is a one-line error", () => {
  const h5 = wildFile("keras2-cnn-dropout.h5");
  for (const cut of [8, 600, 4096, 200_000]) {
    refused(h5.subarray(0, cut), /damaged or truncated HDF5 file/);
  }
  // Cut only in the optimizer state after the model's weights: nothing the model needs is lost.
  assert.equal(importModelBytes(h5.subarray(0, h5.length - 1000)).layers.length, 8);
  const keras = wildFile("keras3-cnn-batchnorm.keras");
  for (const cut of [30, 5000, keras.length / 2])
    refused(keras.subarray(0, cut), /zip|cut short|truncated|missing/);
});

test("a model_config or config.json that is not JSON says so", () => {
  const h5 = wildFile("keras2-cnn-dropout.h5").slice();
  const at = Buffer.from(h5).indexOf('{"class_name": "Sequential"');
  assert.ok(at > 0);
  h5[at] = "x".charCodeAt(0);
  refused(h5, /"model_config" attribute is not valid JSON/);
  refused(kerasArchive("{not json"), /config.json is not valid JSON/);
});

test("a zip bomb stops at its limit: an entry larger than allowed, or inflating past its declared size", () => {
  // 20 MB of spaces: a few KiB compressed, over config.json's 16 MiB limit.
  const big = new Uint8Array(20 << 20).fill(0x20);
  refused(
    zipSync({ "config.json": big }),
    /config.json declares 20971520 bytes, more than the 16777216 allowed/,
  );
  // An entry whose header declares 100 bytes but inflates to 50 MB.
  const bomb = zipSync({ "config.json": [new Uint8Array(50 << 20), { level: 9 }] });
  const view = new DataView(bomb.buffer);
  for (let i = 0; i + 4 <= bomb.length; i++) {
    const signature = view.getUint32(i, true);
    if (signature === 0x04034b50) view.setUint32(i + 22, 100, true);
    if (signature === 0x02014b50) view.setUint32(i + 24, 100, true);
  }
  refused(bomb, /inflates past 100 bytes/);
});

test("an unsupported layer is named with its class before anything else happens", () => {
  const config = {
    class_name: "Sequential",
    config: {
      name: "seq",
      layers: [
        { class_name: "InputLayer", config: { name: "in", batch_shape: [null, 28, 28] } },
        { class_name: "LSTM", config: { name: "lstm", units: 32 } },
        { class_name: "Dense", config: { name: "dense", units: 10 } },
      ],
    },
  };
  refused(kerasArchive(config), /^layer "lstm" \(LSTM\) is not supported$/);
  const branching = {
    class_name: "Functional",
    config: {
      name: "f",
      input_layers: [["in", 0, 0]],
      output_layers: [["add", 0, 0]],
      layers: [
        {
          class_name: "InputLayer",
          name: "in",
          config: { name: "in", batch_shape: [null, 784] },
          inbound_nodes: [],
        },
        {
          class_name: "Dense",
          name: "a",
          config: { name: "a", units: 4 },
          inbound_nodes: [[["in", 0, 0, {}]]],
        },
        {
          class_name: "Dense",
          name: "b",
          config: { name: "b", units: 4 },
          inbound_nodes: [[["in", 0, 0, {}]]],
        },
        {
          class_name: "Add",
          name: "add",
          config: { name: "add" },
          inbound_nodes: [
            [
              ["a", 0, 0, {}],
              ["b", 0, 0, {}],
            ],
          ],
        },
      ],
    },
  };
  refused(kerasArchive(branching), /^layer "add" \(Add\) is not supported$/);
});

test("weights that do not fit the configuration are refused, not reshaped", () => {
  const config = JSON.parse(
    new TextDecoder().decode(
      readZipEntries(wildFile("keras3-cnn-batchnorm.keras"), { "config.json": 1 << 20 }).get(
        "config.json",
      )!,
    ),
  );
  config.config.layers[1].config.filters = 16; // the file's conv2d has 32
  refused(kerasArchive(config), /conv2d.*shape \[3,3,1,32\], the model needs \[3,3,1,16\]/);
});

test("random damage to the shared files never escapes as anything but a one-line error", () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (const [name, arch] of [
    ["keras2-cnn-dropout.h5", undefined],
    ["keras3-cnn-batchnorm.keras", undefined],
    ["keras2-mnist_mlp-weights-only.h5", "mlp"],
  ] as const) {
    const original = wildFile(name);
    for (let trial = 0; trial < 40; trial++) {
      const bytes = original.slice();
      for (let k = 0; k < 6; k++)
        bytes[Math.floor(random() * Math.min(bytes.length, 1 << 14))] = Math.floor(random() * 256);
      const started = performance.now();
      try {
        importModelBytes(bytes, { arch });
      } catch (error) {
        assert.ok(error instanceof UserError, `${name} trial ${trial}: ${error}`);
        assert.equal(error.message.split("\n").length, 1);
      }
      assert.ok(performance.now() - started < 5000, `${name} trial ${trial} took too long`);
    }
  }
});
