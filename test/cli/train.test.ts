import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readTrainingInfo } from "../../src/model/checkpoint.ts";

function digitkit(...args: string[]) {
  return spawnSync(process.execPath, ["bin/digitkit.js", ...args], { encoding: "utf8" });
}

function assertOneLine(run: ReturnType<typeof digitkit>, status: number, pattern: RegExp) {
  assert.equal(run.status, status, run.stderr);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /^digitkit (train|evaluate): /);
  assert.match(lines[0], pattern);
}

test("train: an unknown option is a one-line usage error, exit 2", () => {
  assertOneLine(digitkit("train", "--frobnicate"), 2, /frobnicate/);
  assertOneLine(digitkit("train", "--arch", "rnn"), 2, /--arch must be one of mlp, cnn/);
  assertOneLine(digitkit("train", "--epochs", "0"), 2, /--epochs/);
});

test("train: a bad --lr-decay, or --augment with --no-augment, is a one-line usage error", () => {
  assertOneLine(digitkit("train", "--lr-decay", "0"), 2, /--lr-decay must be a number above 0/);
  assertOneLine(digitkit("train", "--lr-decay", "1.5"), 2, /at most 1, got "1.5"/);
  assertOneLine(digitkit("train", "--lr-decay", "abc"), 2, /--lr-decay must be a number/);
  assertOneLine(digitkit("train", "--lr-decay=-1"), 2, /at most 1, got "-1"/);
  // A value starting with a dash reads as an option: Node's hint comes on the same line.
  assertOneLine(digitkit("train", "--lr-decay", "-1"), 2, /ambiguous.*'--lr-decay=-XYZ'/);
  assertOneLine(digitkit("train", "--augment", "--no-augment"), 2, /contradict/);
});

test("train --arch cnn defaults to its recipe (Adam, augmentation, 12 epochs); options still win", () => {
  const out = mkdtempSync(join(tmpdir(), "digitkit-cnn-recipe-"));
  const small = ["--limit-train", "128", "--limit-test", "100", "--workers", "1"];
  // 12 epochs of 128 digits take a few seconds: the epoch default is checked, not only the help.
  const run = digitkit("train", "--arch", "cnn", ...small, "--out", out);
  assert.equal(run.status, 0, run.stderr);
  const info = readTrainingInfo(out);
  assert.deepEqual(
    [info.epochs, info.optimizer, info.learningRate, info.augment, info.dropout, info.lrDecay],
    [12, "adam", 0.001, true, 0, 1],
  );
  assert.match(digitkit("train", "--help").stdout, /12 epochs/);
  const plain = mkdtempSync(join(tmpdir(), "digitkit-cnn-plain-"));
  const args = ["--optimizer", "sgd", "--no-augment", "--lr-decay", "5e-1", "--epochs", "1"];
  const again = digitkit("train", "--arch", "cnn", ...args, ...small, "--out", plain);
  assert.equal(again.status, 0, again.stderr);
  const set = readTrainingInfo(plain);
  assert.deepEqual([set.optimizer, set.augment, set.lrDecay], ["sgd", false, 0.5]);
});

test("train --resume goes on to the resumed CNN's 12 epochs with its settings; other settings are an error", () => {
  const out = mkdtempSync(join(tmpdir(), "digitkit-cnn-resume-"));
  const small = ["--limit-train", "128", "--limit-test", "100", "--workers", "1", "--out", out];
  const first = digitkit("train", "--arch", "cnn", "--epochs", "6", ...small);
  assert.equal(first.status, 0, first.stderr);
  // Settings that say otherwise than the run's are refused, not silently dropped.
  assertOneLine(
    digitkit("train", "--resume", "--optimizer", "sgd", ...small),
    2,
    /--optimizer sgd differs from the run in .* \(adam\)/,
  );
  assertOneLine(digitkit("train", "--resume", "--arch", "mlp", ...small), 2, /--arch mlp differs/);
  assert.equal(readTrainingInfo(out).history.length, 6);
  // The same settings again (as scripts/train-real-handwriting.sh passes them) are fine.
  const resumed = digitkit("train", "--resume", "--optimizer", "adam", "--augment", ...small);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(readTrainingInfo(out).history.length, 12);
});

test("train: a missing data directory or a corrupt file is a one-line error, exit 1", () => {
  assertOneLine(
    digitkit("train", "--data", "/nonexistent/mnist"),
    1,
    /\/nonexistent\/mnist: no such data directory/,
  );
  const dir = mkdtempSync(join(tmpdir(), "digitkit-corrupt-"));
  for (const name of [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
  ]) {
    writeFileSync(join(dir, name), new Uint8Array([0x42, 0, 8, 1, 0, 0, 0, 0]));
  }
  assertOneLine(
    digitkit("train", "--data", dir, "--out", join(dir, "out")),
    1,
    /train-images-idx3-ubyte: not an IDX file/,
  );
});

test("train --resume with nothing to resume is a one-line error", () => {
  const dir = mkdtempSync(join(tmpdir(), "digitkit-resume-"));
  assertOneLine(digitkit("train", "--resume", "--out", dir), 1, /no checkpoint to resume/);
});

test("evaluate: a missing model is a one-line error, exit 1", () => {
  assertOneLine(digitkit("evaluate", "/nonexistent/checkpoint"), 1, /no such file/);
});

test("Ctrl-C during training exits cleanly keeping the last epoch; evaluate --json reads it", async () => {
  const out = mkdtempSync(join(tmpdir(), "digitkit-sigint-"));
  const args = [
    "bin/digitkit.js",
    "train",
    "--epochs",
    "3",
    "--limit-train",
    "1024",
    "--limit-test",
    "500",
    "--workers",
    "2",
    "--out",
    out,
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes("Epoch 2/3") && !child.killed) child.kill("SIGINT");
  });
  const status = await new Promise<number | null>((resolve) =>
    child.on("exit", (code) => resolve(code)),
  );
  assert.equal(status, 130, stdout);
  assert.match(stdout, /keeps epoch 1; continue with --resume/);
  assert.equal(readTrainingInfo(out).history.length, 1);
  const run = digitkit("evaluate", out, "--json");
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.model, out);
  assert.equal(result.n, 10000);
  assert.ok(result.accuracy > 0.5 && result.accuracy <= 1);
});
