// Training speed of the tutorial network (Dense 512-512-10, RMSprop, batch 128, two worker
// threads): seconds per epoch, samples per second, test accuracy after the run, and peak memory.
// Each run is a fresh process training from scratch with its own seed; we report every run and
// the median of the runs. Defaults: 3 runs × 5 epochs on all 60,000 digits. The engine is the
// one training picks (native kernels when built); DIGITKIT_NATIVE=0 measures the wasm fallback.
// BENCH_QUICK=1: 1 run × 1 epoch on 12,800 digits, for development. BENCH_RUNS, BENCH_EPOCHS
// and BENCH_WORKERS (default 2, the design's two cores) override.
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { median } from "./median.ts";

const quick = process.env.BENCH_QUICK === "1";
const runs = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3));
const epochs = Number(process.env.BENCH_EPOCHS ?? (quick ? 1 : 5));
const limit = quick ? 12800 : 0;
const workers = Number(process.env.BENCH_WORKERS ?? 2);

interface Run {
  epochSeconds: number[];
  epochCpuSeconds: number[];
  samples: number;
  testAccuracy: number;
  peakRssMiB: number;
  kernels: string;
}

console.log(
  `train.bench: ${runs} run(s) × ${epochs} epoch(s), ${workers} worker thread(s)${quick ? " (quick mode, 12,800 digits)" : ""}, load average before: ${loadavg()[0].toFixed(2)}`,
);
const results: Run[] = [];
for (let r = 0; r < runs; r++) {
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/train-once.ts",
      String(epochs),
      String(r + 1),
      String(limit),
      String(workers),
    ],
    {
      encoding: "utf8",
    },
  );
  if (child.status !== 0) {
    console.error(
      child.stderr
        .split("\n")
        .filter((l) => l.startsWith("Error") || l.includes("digitkit"))
        .join("\n"),
    );
    process.exit(1);
  }
  const run = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}") as Run;
  results.push(run);
  if (r === 0) console.log(`engine: ${run.kernels}`);
  const perEpoch = median(run.epochSeconds);
  console.log(
    `run ${r + 1} (seed ${r + 1}): epochs ${run.epochSeconds.map((s) => s.toFixed(2)).join(", ")} s; ` +
      `median ${perEpoch.toFixed(2)} s/epoch (CPU ${median(run.epochCpuSeconds).toFixed(2)} s), ${(run.samples / perEpoch).toFixed(0)} samples/s, ` +
      `test accuracy ${(run.testAccuracy * 100).toFixed(2)}%, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`,
  );
}
const perEpoch = median(results.map((r) => median(r.epochSeconds)));
console.log(
  `median of ${runs}: ${perEpoch.toFixed(2)} s/epoch (CPU of all threads ${median(results.map((r) => median(r.epochCpuSeconds))).toFixed(2)} s), ` +
    `${(results[0].samples / perEpoch).toFixed(0)} samples/s, ` +
    `test accuracy ${(median(results.map((r) => r.testAccuracy)) * 100).toFixed(2)}%, ` +
    `peak RSS ${median(results.map((r) => r.peakRssMiB)).toFixed(0)} MiB (load average after: ${loadavg()[0].toFixed(2)})`,
);
