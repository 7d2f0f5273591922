import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNativeKernels, NATIVE_ADDON } from "../../src/train/engines/native-addon.ts";
import type { TrainOptions } from "../../src/train/train.ts";

// Shared by the training tests: short, quiet runs on small subsets with two workers (as on the
// target machine), each test file overriding what it is about.

/** Options for one quick epoch of the tutorial network into `out`; `extra` wins. */
export function quickRun(out: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    arch: "mlp",
    epochs: 1,
    batchSize: 128,
    optimizer: "rmsprop",
    seed: 5,
    dropout: 0,
    augment: false,
    out,
    resume: false,
    workers: 2,
    limitTrain: 1024,
    limitTest: 500,
    trainingCommand: "test",
    log: () => {},
    ...extra,
  };
}

/** A fresh directory for one run's checkpoint. */
export const tempDir = () => mkdtempSync(join(tmpdir(), "digitkit-train-"));

/** The checkpoint's weights.bin, to compare runs bit for bit. */
export const weights = (dir: string) => readFileSync(join(dir, "weights.bin"));

/** The native kernels; a failed assertion when npm install could not build them. */
export function kernels() {
  const native = loadNativeKernels();
  assert.ok(native, `${NATIVE_ADDON} missing: npm install builds it (see native/build.log)`);
  return native;
}
