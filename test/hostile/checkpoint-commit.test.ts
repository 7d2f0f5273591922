import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { checkpointFile, settleFolder } from "../../src/util/commit-files.ts";

// A checkpoint is one unit: a process killed (SIGKILL) at every step of a save leaves a folder
// whose readers see all the files of one save, the old one or the new one, never a mix; and the
// next writer finishes or discards what the crash left.

const root = mkdtempSync(join(tmpdir(), "digitkit-commit-"));
after(() => rmSync(root, { recursive: true, force: true }));

const NAMES = ["weights.bin", "optimizer.bin", "model.json", "training.json"];
const COMMIT = resolve("src/util/commit-files.ts");

/** Saves epoch 1 whole, then epoch 2 with DIGITKIT_FAILPOINT set, in a child process. */
function saveTwice(dir: string, failpoint: string) {
  const script = `
    import { commitFiles, settleFolder } from ${JSON.stringify(COMMIT)};
    const files = (epoch) => new Map(${JSON.stringify(NAMES)}.map((n) => [n, Buffer.from(n + " of epoch " + epoch + "\\n".repeat(epoch * 1000))]));
    if (process.argv[1] === "settle") await settleFolder(${JSON.stringify(dir)});
    else {
      await commitFiles(${JSON.stringify(dir)}, files(1), "checkpoint@1");
      await commitFiles(${JSON.stringify(dir)}, files(2), "checkpoint@2");
    }`;
  return (mode = "save") =>
    spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, mode], {
      env: { ...process.env, DIGITKIT_FAILPOINT: failpoint },
      encoding: "utf8",
    });
}

/** The epoch every file of the folder comes from, as a reader sees them; throws on a mix. */
function epochSeen(dir: string): number {
  const epochs = NAMES.map((name) => {
    const text = readFileSync(checkpointFile(dir, name), "utf8");
    assert.ok(text.startsWith(`${name} of epoch `), text.slice(0, 40));
    return Number(text.slice(name.length + 10, name.length + 11));
  });
  assert.equal(new Set(epochs).size, 1, `a mix of epochs: ${epochs.join(", ")}`);
  return epochs[0];
}

const STEPS = [
  ...NAMES.map((n) => `staged:${n}`),
  "pending",
  ...NAMES.map((n) => `moved:${n}`),
  "done",
];

test("SIGKILL at every step of a save leaves one whole checkpoint, old or new", async () => {
  for (const step of STEPS) {
    const dir = join(root, step.replace(":", "-"));
    const run = saveTwice(dir, `checkpoint@2:${step}`)();
    assert.equal(run.signal, "SIGKILL", `${step}: the failpoint was reached (${run.stderr})`);
    const seen = epochSeen(dir);
    // Until the staging folder is renamed the old save stands; from then on, the new one.
    assert.equal(seen, step.startsWith("staged:") ? 1 : 2, step);
    await settleFolder(dir);
    assert.equal(epochSeen(dir), seen, `${step}: settling keeps what readers saw`);
    assert.deepEqual(readdirSync(dir).sort(), [...NAMES].sort(), `${step}: nothing left over`);
  }
});

test("a writer killed while finishing a crashed save is finished by the next one", async () => {
  const dir = join(root, "twice");
  const save = saveTwice(dir, "checkpoint@2:moved:weights.bin");
  assert.equal(save().signal, "SIGKILL");
  const settle = saveTwice(dir, "settle:moved:optimizer.bin");
  assert.equal(settle("settle").signal, "SIGKILL");
  assert.equal(epochSeen(dir), 2);
  await settleFolder(dir);
  assert.equal(epochSeen(dir), 2);
  assert.ok(!existsSync(join(dir, ".checkpoint-pending")));
});
