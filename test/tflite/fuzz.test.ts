import assert from "node:assert/strict";
import { test } from "node:test";
import { infoText } from "../../src/cli/info.ts";
import { convertLayersModel } from "../../src/export/convert.ts";
import { quantizeGraph } from "../../src/export/quantize.ts";
import { buildModel } from "../../src/model/architectures.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { loadTfliteModel } from "../../src/runtime/tflite-runtime.ts";
import { serializeGraph } from "../../src/tflite/writer.ts";
import { UserError } from "../../src/util/errors.ts";
import { createRng, type Rng } from "../../src/util/rng.ts";
import { tinyModelBytes } from "./tiny-model.ts";
import "@tensorflow/tfjs-backend-cpu";

// Seeds of real exports to mutate: the hand-built model and a small CNN with every op we write.
function seeds(): Uint8Array[] {
  const cnn = buildModel("cnn", { seed: 5 });
  const graph = convertLayersModel(cnn, "fuzz seed");
  const calibration = [new Float32Array(784).fill(0.5), new Float32Array(784)];
  return [
    tinyModelBytes(),
    serializeGraph(quantizeGraph(graph, "int8", calibration)),
    serializeGraph(quantizeGraph(graph, "float16")),
  ];
}

const interesting = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffc, 4, 8, 0x10000];

/** One mutant: truncated, bytes flipped, or a 32-bit word overwritten (where offsets live). */
function mutate(seed: Uint8Array, rng: Rng): Uint8Array {
  const pick = (n: number) => Math.floor(rng() * n);
  const kind = pick(4);
  if (kind === 0) return seed.slice(0, pick(seed.length));
  const out = seed.slice();
  // Tables and vectors sit in the first bytes and the last few hundred (the builder writes the
  // big weight buffers in between), so aim most mutations there.
  const where = () => {
    const r = rng();
    if (r < 0.4) return pick(Math.min(out.length, 2048));
    if (r < 0.8) return out.length - 1 - pick(Math.min(out.length, 4096));
    return pick(out.length);
  };
  if (kind === 1) {
    for (let i = 0, n = 1 + pick(8); i < n; i++) out[where()] ^= 1 << pick(8);
  } else if (kind === 2) {
    const view = new DataView(out.buffer);
    for (let i = 0, n = 1 + pick(3); i < n; i++) {
      const pos = where() & ~3;
      if (pos + 4 <= out.length) view.setUint32(pos, interesting[pick(interesting.length)], true);
    }
  } else {
    for (let i = 0, n = 1 + pick(16); i < n; i++) out[where()] = pick(256);
  }
  return out;
}

test("info survives a few thousand mutated and truncated files: a description or one line", () => {
  const rng = createRng(20261129);
  const inputs = seeds();
  let rejected = 0;
  let slowest = 0;
  for (let i = 0; i < 3000; i++) {
    const bytes = mutate(inputs[i % inputs.length], rng);
    const start = performance.now();
    try {
      const text = infoText(bytes, "fuzz.tflite", i % 2 === 0);
      assert.ok(text.length > 0);
    } catch (error) {
      if (!(error instanceof UserError)) {
        assert.fail(`mutant ${i}: ${(error as Error).stack}`);
      }
      assert.equal(error.message.split("\n").length, 1);
      assert.match(error.message, /^fuzz\.tflite: not a valid TFLite model: /);
      rejected++;
    }
    slowest = Math.max(slowest, performance.now() - start);
  }
  // Most mutants hit structure and must be refused; none may take long.
  assert.ok(rejected > 1000, `only ${rejected} of 3000 mutants rejected`);
  assert.ok(slowest < 1000, `slowest mutant took ${slowest} ms`);
});

test("the runtime loader takes mutated files without crashing: a model or a UserError", async () => {
  const rng = createRng(7);
  const inputs = seeds();
  let loaded = 0;
  for (let i = 0; i < 600; i++) {
    const bytes = mutate(inputs[i % inputs.length], rng);
    try {
      const model = await loadTfliteModel(bytes, nodeWasmRoot());
      model.run(new Float32Array(model.inputShape.reduce((a, b) => a * b, 1)));
      model.dispose();
      loaded++;
    } catch (error) {
      if (!(error instanceof UserError)) assert.fail(`mutant ${i}: ${(error as Error).stack}`);
    }
  }
  // The runtime still works afterwards.
  const model = await loadTfliteModel(tinyModelBytes(), nodeWasmRoot());
  assert.equal(model.run(new Float32Array([1, 1, 1])).length, 2);
  model.dispose();
  assert.ok(loaded > 0, "no mutant loaded at all (the mutations are too blunt)");
});
