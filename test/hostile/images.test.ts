import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeImage } from "../../src/images/decode.ts";
import { ImageError } from "../../src/images/image-error.ts";
import * as attack from "./attacks.ts";
import { errorLines, LIMIT_MB, LIMIT_SECONDS, runCli } from "./run-cli.ts";

// Every image attack family, generated here, through the real `digitkit predict` process: each
// file gets one answer (here: a one-line error), within 10 s and 1 GB, stdout stays JSON.

const dir = mkdtempSync(join(tmpdir(), "digitkit-hostile-images-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** name → [file bytes, what the error must say]. */
const ATTACKS: Record<string, [Uint8Array, RegExp]> = {
  "tall-claim.png": [attack.pngTallClaim(), /truncated or corrupt PNG.*1×50000000/],
  "interlaced-bomb.png": [attack.pngInterlacedBomb(3), /inflates to more than/],
  "bomb.png": [attack.pngBomb(3), /PNG/],
  "honest-too-big.png": [attack.pngHonest(7000, 7000), /MB to decode, more than/],
  "huge-frame.gif": [attack.gifHugeFrame(), /megapixels, more than/],
  "frame-outside-screen.gif": [attack.gifHugeFrame(3000, 3000), /does not fit in its 1×1 screen/],
  "short-data.gif": [attack.gifShortData(), /truncated GIF/],
  "lzw-loop.gif": [attack.gifLzwLoop(), /names a code that does not exist/],
  "many-scans.jpg": [attack.jpegManyScans(1000), /scans would pass over more than/],
  "big-claim.jpg": [attack.jpegBigClaim(), /MB to decode|truncated or corrupt JPEG/],
  "big-claim.bmp": [attack.bmpBigClaim(), /truncated BMP/],
  "big-claim.webp": [attack.webpBigClaim(), /truncated or corrupt WebP/],
};

test("each decoder refuses its bombs in bounded time, in-process too", async () => {
  for (const [name, [bytes, message]] of Object.entries(ATTACKS)) {
    const started = process.cpuUsage();
    await assert.rejects(decodeImage(bytes), (error: Error) => {
      assert.ok(error instanceof ImageError, `${name}: ${error}`);
      assert.match(error.message, message, name);
      return true;
    });
    const cpu = process.cpuUsage(started);
    const seconds = (cpu.user + cpu.system) / 1e6;
    assert.ok(seconds < LIMIT_SECONDS / 2, `${name}: ${seconds.toFixed(1)} s of CPU`);
  }
});

test("a large honest image inside the budget is still decoded", async () => {
  // 3000×2000 RGBA, interlaced: 6 megapixels, every pass of it present.
  const image = await decodeImage(attack.pngHonest(3000, 2000, true));
  assert.equal(image.width * image.height, 6_000_000);
});

test("predict: every attack file gets a one-line error, within 10 s and 1 GB; stdout stays JSON", async () => {
  const files = Object.entries(ATTACKS).map(([name, [bytes]]) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  });
  const run = await runCli(["predict", ...files, "--json"]);
  assert.equal(run.timedOut, false, "it answered");
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, files.length, run.stdout);
  for (const [i, line] of lines.entries()) {
    const result = JSON.parse(line); // a library's warning here would not parse
    const [, message] = ATTACKS[Object.keys(ATTACKS)[i]];
    assert.equal(result.file, files[i]);
    assert.match(result.error, message, result.file);
    assert.ok(!/Error:|at .*\(|undefined/.test(result.error), result.error);
  }
  assert.ok(run.cpuSeconds < LIMIT_SECONDS, `${run.cpuSeconds.toFixed(1)} s of CPU for all`);
  assert.ok(run.peakMB < LIMIT_MB, `peak ${run.peakMB.toFixed(0)} MB`);
});

test("predict refuses FIFOs, devices and sockets by name, without blocking", async () => {
  const fifo = join(dir, "pipe.png");
  execFileSync("mkfifo", [fifo]);
  const socketPath = join(dir, "socket.png");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  try {
    const run = await runCli(["predict", fifo, "/dev/zero", socketPath, "--json"], {
      timeoutSeconds: 30,
    });
    assert.equal(run.timedOut, false, "nothing blocked");
    assert.equal(run.status, 1);
    const errors = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).error);
    assert.match(errors[0], /FIFO/);
    assert.match(errors[1], /character device/);
    assert.match(errors[2], /socket/);
    // --model and info take the same road.
    const model = await runCli(["predict", join(dir, "tall-claim.png"), "--model", fifo]);
    assert.equal(model.timedOut, false);
    assert.match(errorLines(model).join("\n"), /^digitkit predict: .*pipe\.png: is a FIFO/);
    const info = await runCli(["info", "/dev/zero"]);
    assert.equal(info.status, 1);
    assert.deepEqual(errorLines(info), [
      "digitkit info: /dev/zero: is a character device, not a file",
    ]);
  } finally {
    server.close();
  }
});

test("a walk visits each real directory once (links to itself), names are printed escaped", async () => {
  const root = join(dir, "loop");
  mkdirSync(root);
  symlinkSync(".", join(root, "again"));
  symlinkSync("..", join(root, "up"));
  symlinkSync(root, join(root, "absolute"));
  const odd = "odd\nname\u001b[31m.png";
  writeFileSync(join(root, odd), attack.pngTallClaim());
  const run = await runCli(["predict", root, "--json"]);
  assert.equal(run.timedOut, false);
  const lines = run.stdout.trim().split("\n");
  const files = lines.map((line) => JSON.parse(line).file);
  // The odd file once; the parent (reached by "up") once, with each of its attack files once.
  assert.equal(files.filter((f) => f.endsWith(odd)).length, 1, files.join(", "));
  assert.equal(new Set(files).size, files.length, "no file twice");
  // Plain output: the name on one line, its newline and escape character written as escapes.
  const plain = await runCli(["predict", join(root, odd)]);
  const stderr = errorLines(plain);
  assert.equal(stderr.length, 1, plain.stderr);
  assert.ok(stderr[0].includes('odd\\nname\\u001b[31m.png"'), stderr[0]);
  assert.ok(!plain.stderr.includes("\u001b"));
});
