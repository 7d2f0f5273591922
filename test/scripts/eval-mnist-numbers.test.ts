// npm run eval:mnist-numbers: numbers of MNIST's held-back test digits read as `digitkit predict`
// reads them, the line reader's share printed beside the splitter's alone; bad options get one line.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/eval-mnist-numbers.ts", ...args], {
    encoding: "utf8",
  });

test("eval:mnist-numbers prints, per length, the numbers read right with the reader and by the splitter alone", () => {
  const result = run("--numbers", "2,4", "--count", "20", "--touching", "--seed", "3");
  assert.equal(result.status, 0, result.stderr);
  const rows = result.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells.length === 4 && /^\d+$/.test(cells[0]));
  assert.deepEqual(
    rows.map((cells) => [cells[0], cells[1]]),
    [
      ["2", "20"],
      ["4", "20"],
    ],
  );
  const [withReader, alone] = [2, 3].map((c) => rows.map((cells) => Number.parseFloat(cells[c])));
  // Touching numbers are where the line reader earns its place: it must read more of them.
  for (const k of [0, 1]) assert.ok(withReader[k] > alone[k], `${withReader[k]} vs ${alone[k]}`);
});

test("eval:mnist-numbers refuses a bad option in one line", () => {
  const result = run("--numbers", "13");
  assert.equal(result.status, 2);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(result.stderr, /--numbers must be between 1 and 12/);
});
