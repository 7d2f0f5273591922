import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { encodeIdx } from "../../src/data/idx.ts";
import { defaultMnistDir, loadIdxPair } from "../../src/data/mnist.ts";
import * as attack from "./attacks.ts";
import { type CliRun, errorLines, LIMIT_MB, LIMIT_SECONDS, runCli } from "./run-cli.ts";

// Training's hostile inputs, through the real `digitkit train` process: IDX bombs and data the
// networks cannot take, --out on a full or read-only disk (a 2 MB tmpfs), and SIGKILL at any
// moment, after which --resume reaches the uninterrupted run's exact weights.

const root = mkdtempSync(join(tmpdir(), "digitkit-hostile-train-"));
after(() => rmSync(root, { recursive: true, force: true }));

const QUICK = ["--epochs", "2", "--limit-train", "512", "--limit-test", "100", "--workers", "1"];

/** A data folder holding MNIST's test files and the given training images/labels. */
function dataDir(name: string, images: Uint8Array, labels?: Uint8Array): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const mnist = defaultMnistDir();
  for (const file of ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
    writeFileSync(join(dir, file), readFileSync(join(mnist, file)));
  }
  writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), images);
  writeFileSync(
    join(dir, "train-labels-idx1-ubyte"),
    labels ?? readFileSync(join(mnist, "train-labels-idx1-ubyte")),
  );
  return dir;
}

/** One line on stderr, "digitkit train: …", matching `message`; exit 1; within the bounds. */
function assertCleanFailure(run: CliRun, message: RegExp) {
  assert.equal(run.timedOut, false, "it answered");
  assert.equal(run.status, 1, run.stderr);
  const lines = errorLines(run);
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /^digitkit train: /);
  assert.match(lines[0], message);
  assert.ok(run.cpuSeconds < LIMIT_SECONDS, `${run.cpuSeconds.toFixed(1)} s of CPU`);
  assert.ok(run.peakMB < LIMIT_MB, `peak ${run.peakMB.toFixed(0)} MB`);
}

test("gzip IDX bombs: refused within 10 s and 1 GB, 'too big' when they only are", async () => {
  const bomb = await runCli(["train", "--data", dataDir("bomb", attack.idxGzipBomb()), ...QUICK]);
  assertCleanFailure(bomb, /inflates to more than the 47040000 bytes its header/);
  const big = await runCli(["train", "--data", dataDir("big", attack.idxGzipTooBig()), ...QUICK]);
  assertCleanFailure(big, /too big: .*6400000×28×28.*4\.7 GB/);
  assert.doesNotMatch(big.stderr, /corrupt/);
});

test("data the networks cannot take is refused before training: size, empty sets, FIFOs", async () => {
  const { train } = await import("../../src/train/train.ts");
  const options = (dir: string) => ({
    arch: "mlp" as const,
    epochs: 1,
    batchSize: 32,
    optimizer: "rmsprop" as const,
    seed: 1,
    dropout: 0,
    augment: false,
    dataDir: dir,
    out: join(root, "never"),
    resume: false,
    workers: 1,
    trainingCommand: "test",
    log: () => {},
  });
  const images32 = gzipSync(encodeIdx([3, 32, 32], new Uint8Array(3 * 1024)));
  const labels3 = encodeIdx([3], Uint8Array.from([1, 2, 3]));
  await assert.rejects(
    train(options(dataDir("32px", images32, labels3))),
    /32×32; the networks take 28×28/,
  );
  const empty = gzipSync(encodeIdx([0, 28, 28], new Uint8Array(0)));
  await assert.rejects(
    train(options(dataDir("empty", empty, encodeIdx([0], new Uint8Array(0))))),
    /the training set has no images/,
  );
  const fifoDir = dataDir("fifo", empty);
  rmSync(join(fifoDir, "train-images-idx3-ubyte.gz"));
  execFileSync("mkfifo", [join(fifoDir, "train-images-idx3-ubyte")]);
  assert.throws(
    () =>
      loadIdxPair(
        join(fifoDir, "train-images-idx3-ubyte"),
        join(fifoDir, "train-labels-idx1-ubyte"),
      ),
    /is a FIFO/,
  );
  assert.ok(!existsSync(join(root, "never")), "nothing was written");
});

/** Mounts a 2 MB tmpfs (read-only if asked) for the length of `use`. */
async function withTmpfs(readOnly: boolean, use: (dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(root, "tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=2m${readOnly ? ",ro" : ""}`, "tmpfs", dir]);
  try {
    await use(dir);
  } finally {
    execFileSync("umount", [dir]);
  }
}

test("--out on a full or read-only disk: one line naming it, exit 1, before the first epoch", async () => {
  await withTmpfs(false, async (disk) => {
    const out = join(disk, "run");
    const run = await runCli(["train", ...QUICK, "--out", out]);
    assertCleanFailure(
      run,
      /run: cannot write a checkpoint of 5\.4 MB there: no space left on the device; free some space/,
    );
    assert.doesNotMatch(run.stdout, /Epoch 1\//, "refused before the first epoch");
    assert.deepEqual(readdirSync(out), [], "no stray file");
    // export to the same full disk: one line, no temporary file left behind.
    writeFileSync(join(disk, "filler"), new Uint8Array(2 * 2 ** 20 - 64 * 1024));
    const exported = await runCli([
      "export",
      "models/checkpoints/mnist_mlp",
      "--out",
      join(disk, "m.tflite"),
    ]);
    assert.equal(exported.status, 1, exported.stderr);
    assert.deepEqual(errorLines(exported).length, 1, exported.stderr);
    assert.match(
      exported.stderr,
      /^digitkit export: .*m\.tflite: cannot write it: no space left on the device/,
    );
    assert.deepEqual(readdirSync(disk).sort(), ["filler", "run"]);
  });
  await withTmpfs(true, async (disk) => {
    const run = await runCli(["train", ...QUICK, "--out", join(disk, "run")]);
    assertCleanFailure(
      run,
      /run: .*the file system is read-only; choose a folder on a writable disk/,
    );
  });
  const file = join(root, "a-file");
  writeFileSync(file, "x");
  const { checkOutWritable } = await import("../../src/train/train.ts");
  await assert.rejects(checkOutWritable(file, 10), /a-file: is a file, not a folder/);
  await assert.rejects(
    checkOutWritable(join(file, "run"), 10),
    /a part of the path is a file, not a folder/,
  );
});

const weights = (dir: string) => readFileSync(join(dir, "weights.bin"));

/** Trains to the end, resuming when a checkpoint is there (a kill may come before the first). */
async function finish(out: string): Promise<CliRun> {
  const resume =
    existsSync(join(out, "training.json")) || existsSync(join(out, ".checkpoint-pending"));
  const run = await runCli(["train", ...QUICK, "--out", out, ...(resume ? ["--resume"] : [])]);
  assert.equal(run.status, 0, run.stderr);
  return run;
}

test("SIGKILL mid-checkpoint, or at a random moment: --resume reaches the same weights", async () => {
  const straight = join(root, "straight");
  assert.equal((await runCli(["train", ...QUICK, "--out", straight])).status, 0);
  // Killed between the renames of epoch 2's files: weights and optimizer state moved, not the rest.
  const mid = join(root, "mid");
  const killed = await runCli(["train", ...QUICK, "--out", mid], {
    env: { DIGITKIT_FAILPOINT: "checkpoint@2:moved:optimizer.bin" },
  });
  assert.equal(killed.signal, "SIGKILL", killed.stderr);
  await finish(mid);
  assert.ok(weights(straight).equals(weights(mid)), "resumed after a mid-save kill");
  // A kill at a random moment of the run (the seed is printed when the test fails).
  const seed = Math.random();
  const random = join(root, "random");
  const child = spawn(process.execPath, ["bin/digitkit.js", "train", ...QUICK, "--out", random], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let epochs = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    epochs += (String(chunk).match(/^Epoch \d/gm) ?? []).length;
    if (epochs > 0 && !child.killed) setTimeout(() => child.kill("SIGKILL"), seed * 1500);
  });
  await new Promise((resolve) => child.on("exit", resolve));
  await finish(random);
  assert.ok(weights(straight).equals(weights(random)), `resumed after a kill (seed ${seed})`);
});

/**
 * Starts a training run (`args`, QUICK by default) and sends it `signal` when `when(stdout)`
 * holds, or after `afterMs`.
 */
async function stopWith(
  signal: NodeJS.Signals,
  out: string,
  when: (stdout: string) => boolean,
  afterMs?: number,
  args = QUICK,
) {
  const child = spawn(process.execPath, ["bin/digitkit.js", "train", ...args, "--out", out], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c;
    if (!child.killed && when(stdout)) child.kill(signal);
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c;
  });
  if (afterMs !== undefined) setTimeout(() => child.kill(signal), afterMs);
  const [code, killedBy] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on("exit", (c, s) => resolve([c, s])),
  );
  return { code, killedBy, stdout, stderr };
}

test("SIGTERM stops like Ctrl-C; Ctrl-C in the first second exits cleanly", async () => {
  const term = await stopWith("SIGTERM", join(root, "term"), (out) => /Epoch 1\//.test(out));
  assert.equal(term.code, 130, term.stderr);
  assert.match(term.stdout, /Stopped before the first epoch finished; nothing was written/);
  assert.equal(term.stderr.trim(), "");
  // On all of MNIST, so that no epoch can end within the first second on a fast, quiet machine
  // (QUICK's 512 digits can: its whole run takes about 1.2 s).
  const wholeEpoch = ["--epochs", "1", "--limit-test", "100", "--workers", "1"];
  for (const ms of [300, 900]) {
    const out = join(root, `early-${ms}`);
    const early = await stopWith("SIGINT", out, () => false, ms, wholeEpoch);
    // Before the command installs its handler the signal's default ends it; after, exit 130.
    assert.ok(early.code === 130 || early.killedBy === "SIGINT", `${ms} ms: ${early.code}`);
    assert.equal(early.stderr.trim(), "", `${ms} ms: nothing on stderr`);
    assert.ok(!existsSync(join(out, "training.json")), "no checkpoint");
  }
});
