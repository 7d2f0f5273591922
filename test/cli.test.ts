import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

function digitkit(...args: string[]) {
  return spawnSync(process.execPath, ["bin/digitkit.js", ...args], { encoding: "utf8" });
}

test("--help lists every command and exits 0", () => {
  const run = digitkit("--help");
  assert.equal(run.status, 0);
  for (const name of ["train", "evaluate", "export", "info", "predict", "serve"]) {
    assert.match(run.stdout, new RegExp(`^  ${name} `, "m"));
  }
});

test("an unknown command is a one-line usage error with exit status 2", () => {
  const run = digitkit("frobnicate");
  assert.equal(run.status, 2);
  assert.equal(run.stderr.trim().split("\n").length, 1);
  assert.match(run.stderr, /unknown command "frobnicate"/);
});

test("a stray argument names its command, on one line, with exit status 2", () => {
  for (const command of ["serve", "train"]) {
    const run = digitkit(command, "stray");
    assert.equal(run.status, 2, command);
    assert.equal(run.stderr.trim(), `digitkit ${command}: unexpected argument "stray"`);
  }
});
