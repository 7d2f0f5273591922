// A model either works or is refused: hundreds of random mutations of the shipped models, each
// opened as the CLI and the app open a model (Classifier.load) and asked for real digits. Every
// one must be refused with a one-line UserError or give ten valid probabilities; none may answer
// NaN or the uniform 0.1 × 10 that LiteRT gives after it "failed to prepare".
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Classifier } from "../../src/recognize/classifier.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { UserError } from "../../src/util/errors.ts";
import { createRng, type Rng } from "../../src/util/rng.ts";
import { testDigits } from "../tflite/helpers.ts";

const SHIPPED = [
  "models/mnist_mlp_int8.tflite",
  "models/mnist_cnn.tflite",
  "models/mnist_mlp.tflite",
];
const PER_MODEL = 120;

/** Where the flatbuffer ends: the labels zipped onto a model (metadata) start with "PK\x03\x04". */
function flatbufferLength(bytes: Uint8Array): number {
  for (let i = 8; i + 4 <= bytes.length; i++) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 3 && bytes[i + 3] === 4) {
      return i;
    }
  }
  return bytes.length;
}

/** Flipped bits or overwritten bytes, most where the flatbuffer's tables live (first and last KB). */
function mutate(seed: Uint8Array, rng: Rng): Uint8Array {
  const pick = (n: number) => Math.floor(rng() * n);
  const out = seed.slice();
  const end = flatbufferLength(seed);
  const where = () => {
    const r = rng();
    if (r < 0.35) return pick(Math.min(end, 2048));
    if (r < 0.7) return end - 1 - pick(Math.min(end, 4096));
    return pick(end);
  };
  for (let i = 0, n = 1 + pick(4); i < n; i++) {
    if (rng() < 0.5) out[where()] ^= 1 << pick(8);
    else out[where()] = pick(256);
  }
  // Sometimes a corrupted weight: a float's exponent bits all set (NaN or infinity), anywhere.
  if (rng() < 0.15) {
    const at = pick(end >> 2) << 2;
    out[at + 3] |= 0x7f;
    out[at + 2] |= 0x80;
  }
  return out;
}

function assertValid(probabilities: number[], what: string): void {
  assert.equal(probabilities.length, 10, what);
  assert.ok(
    probabilities.every((p) => Number.isFinite(p) && p >= 0 && p <= 1),
    what,
  );
  assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-6, what);
  assert.ok(!probabilities.every((p) => Math.abs(p - 0.1) < 1e-3), `${what}: uniform 0.1 answer`);
}

const digits = await testDigits(20);

test("mutated shipped models are refused in one line or give valid answers", async () => {
  const rng = createRng(20261201);
  const tally = { refused: 0, answered: 0, refusedAtAnswer: 0 };
  const reasons = new Map<string, number>();
  for (const path of SHIPPED) {
    const seed = new Uint8Array(readFileSync(path));
    for (let i = 0; i < PER_MODEL; i++) {
      const what = `${path} mutant ${i}`;
      let classifier: Classifier;
      try {
        classifier = await Classifier.load(mutate(seed, rng), nodeWasmRoot());
      } catch (error) {
        assert.ok(error instanceof UserError, `${what}: ${(error as Error).stack}`);
        assert.ok(!error.message.includes("\n") && error.message.length > 0, what);
        tally.refused++;
        const kind = error.message.replace(/\d+/g, "N").slice(0, 60);
        reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
        continue;
      }
      try {
        for (let d = 0; d < digits.count; d++) {
          const input = digits.inputs.subarray(d * 784, (d + 1) * 784);
          assertValid(classifier.classifyInput(input).probabilities, what);
        }
        tally.answered++;
      } catch (error) {
        // A broken answer to a real digit is reported as a UserError, never shown as a result.
        if (!(error instanceof UserError)) throw error;
        tally.refusedAtAnswer++;
      } finally {
        classifier.dispose();
      }
    }
  }
  console.log(`mutants: ${JSON.stringify(tally)}`);
  assert.ok(tally.refused > 0 && tally.answered > 0, JSON.stringify(tally));
  // The checks this file is about fired: quantization parameters and the runtime's refusal.
  const seen = [...reasons.keys()].join("\n");
  assert.match(seen, /zero point/);
  // The runtime's own refusal (a load it fails, or an error it logs while preparing or running);
  // which of them a given seed's mutants reach varies with the files' layout.
  assert.match(seen, /runtime cannot load|cannot prepare|failed to run/);
  assert.match(seen, /answer is not ten probabilities/);
});

const dir = mkdtempSync(join(tmpdir(), "digitkit-mutants-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("predict with a mutated model: one-line refusal (exit 1) or a valid answer", () => {
  const rng = createRng(7);
  const seed = new Uint8Array(readFileSync("models/mnist_mlp_int8.tflite"));
  for (let i = 0; i < 8; i++) {
    const path = join(dir, `mutant-${i}.tflite`);
    writeFileSync(path, mutate(seed, rng));
    const run = spawnSync(
      process.execPath,
      ["bin/digitkit.js", "predict", "--model", path, "test/fixtures/three.bmp", "--json"],
      { encoding: "utf8" },
    );
    if (run.status === 0) {
      assertValid(JSON.parse(run.stdout).probabilities, path);
    } else {
      assert.equal(run.status, 1, run.stderr);
      assert.equal(run.stdout, "");
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.match(run.stderr, /^digitkit predict: /);
    }
  }
});
