// Training speed of the tutorial network (Dense 512-512-10, RMSprop, batch 128, two worker
// threads): seconds per epoch, samples per second, test accuracy after the run, and peak memory.
// Each run is a fresh process training from scratch with its own seed; we report every run and
// the median of the runs. Defaults: 3 runs × 5 epochs on all 60,000 digits. The engine is the
// one training picks (native kernels when built); DIGITKIT_NATIVE=0 measures the wasm fallback.
// BENCH_QUICK=1: 1 run × 1 epoch on 12,800 digits, for development. BENCH_RUNS, BENCH_EPOCHS
// and BENCH_WORKERS (default 2, the design's two cores) override.
// Then the CNN (`digitkit train --arch cnn`'s defaults: Adam, augmentation): one epoch
// on the native kernels and one on the TF.js autodiff fallback, which is far slower and so
// trains on fewer digits; both are given per 60,000 digits (an epoch's time grows with its
// digits). Quick mode: 2,560 and 640 digits. BENCH_CNN=0 skips it.
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
/** One training run in its own process (bench/train-once.ts); exits on failure. */
function trainOnce(args: (string | number)[]): Run {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", "bench/train-once.ts", ...args.map(String)],
    { encoding: "utf8" },
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
  return JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}") as Run;
}

const results: Run[] = [];
for (let r = 0; r < runs; r++) {
  const run = trainOnce([epochs, r + 1, limit, workers]);
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

if (process.env.BENCH_CNN !== "0") {
  const full = 60000;
  for (const [engine, digits] of [
    ["native", quick ? 2560 : 0],
    ["fallback", quick ? 640 : 6400],
  ] as const) {
    // Scored on 1,000 test digits: the fallback's evaluation is slow too, and not what is timed.
    const run = trainOnce([1, 1, digits, workers, "cnn", engine, 1000]);
    const scale = full / run.samples;
    console.log(
      `cnn, ${run.kernels}: ${(run.epochSeconds[0] * scale).toFixed(1)} s/epoch ` +
        `(CPU of all threads ${((run.epochCpuSeconds[0] ?? 0) * scale).toFixed(1)} s) per 60,000 digits, ` +
        `measured on ${run.samples.toLocaleString("en-US")}; peak RSS ${run.peakRssMiB.toFixed(0)} MiB`,
    );
  }
}
