// One training run for bench/train.bench.ts, in its own process so that its peak memory (RSS,
// which includes the worker threads) is its own. Prints one JSON line.
// Arguments: epochs seed limitTrain workers [arch (mlp) [engine: native | fallback | auto
// [limitTest]]]; a limit of 0 means all.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Architecture } from "../src/model/architectures.ts";
import { train } from "../src/train/train.ts";

const [epochs, seed, limitTrain, workers] = process.argv.slice(2, 6).map(Number);
const arch = (process.argv[6] ?? "mlp") as Architecture;
const engine = process.argv[7] ?? "auto";
if (!["native", "fallback", "auto"].includes(engine)) {
  console.error(`train-once: engine must be native, fallback or auto, got "${engine}"`);
  process.exit(2);
}
const limitTest = Number(process.argv[8] ?? 0);
const out = mkdtempSync(join(tmpdir(), "digitkit-bench-"));
try {
  const result = await train({
    arch,
    epochs,
    batchSize: 128,
    // The CNN as `digitkit train --arch cnn` trains it by default.
    optimizer: arch === "cnn" ? "adam" : "rmsprop",
    seed,
    dropout: 0,
    augment: arch === "cnn",
    out,
    resume: false,
    workers,
    limitTrain: limitTrain > 0 ? limitTrain : undefined,
    limitTest: limitTest > 0 ? limitTest : undefined,
    trainingCommand: "bench",
    native: engine === "native" ? true : engine === "fallback" ? false : undefined,
    log: () => {},
  });
  const epochSeconds = result.info.history.map((e) => e.seconds);
  const epochCpuSeconds = result.info.history.map((e) => e.cpuSeconds ?? 0);
  console.log(
    JSON.stringify({
      epochSeconds,
      epochCpuSeconds,
      samples: result.info.trainSamples,
      kernels: result.info.kernels,
      testAccuracy: result.evaluation?.accuracy,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
