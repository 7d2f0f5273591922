// One training run for bench/train.bench.ts, in its own process so that its peak memory (RSS,
// which includes the worker threads) is its own. Prints one JSON line.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { train } from "../src/model/train.ts";

const [epochs, seed, limitTrain, workers] = process.argv.slice(2).map(Number);
const out = mkdtempSync(join(tmpdir(), "digitkit-bench-"));
try {
  const result = await train({
    arch: "mlp",
    epochs,
    batchSize: 128,
    optimizer: "rmsprop",
    seed,
    dropout: 0,
    augment: false,
    out,
    resume: false,
    workers,
    limitTrain: limitTrain > 0 ? limitTrain : undefined,
    trainingCommand: "bench",
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
