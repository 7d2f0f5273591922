import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeImage } from "../../src/images/decode.ts";
import { Classifier } from "../../src/recognize/classifier.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { centroidModelBytes } from "../recognize/centroid-model.ts";

// A model the test builds (class means), so the command is tested apart from any trained one.
const dir = mkdtempSync(join(tmpdir(), "digitkit-predict-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const modelPath = join(dir, "centroid.tflite");
writeFileSync(modelPath, await centroidModelBytes());

function predict(...args: string[]) {
  return spawnSync(process.execPath, ["bin/digitkit.js", "predict", ...args], { encoding: "utf8" });
}

test("--json prints one line per file, errors included, and exits 1 when any failed", () => {
  const run = predict("test/fixtures", "--model", modelPath, "--json");
  assert.equal(run.status, 1);
  const lines = run.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  assert.deepEqual(
    lines.map((line) => line.file),
    [
      "test/fixtures/errors/blank.png",
      "test/fixtures/errors/empty.png",
      "test/fixtures/errors/huge.bmp",
      "test/fixtures/errors/not-an-image.png",
      "test/fixtures/errors/truncated.jpg",
      "test/fixtures/errors/truncated.png",
      "test/fixtures/paper-2.jpg",
      "test/fixtures/three.bmp",
    ],
    "directories are walked in sorted order",
  );
  for (const line of lines.slice(0, 6)) {
    assert.deepEqual(Object.keys(line), ["file", "error"]);
    assert.ok(line.error.length > 0 && !line.error.includes("\n"));
  }
  assert.match(lines[0].error, /no ink/);
  assert.match(lines[2].error, /megapixels/);
  for (const line of lines.slice(6)) {
    assert.deepEqual(Object.keys(line), [
      "file",
      "digit",
      "probability",
      "probabilities",
      "timeMs",
    ]);
    assert.equal(line.probabilities.length, 10);
    assert.equal(line.probability, line.probabilities[line.digit]);
    assert.ok(line.timeMs > 0);
  }
  assert.equal(lines[7].digit, 3);
});

test("the command gives the library's answer for the same pixels", async () => {
  const run = predict("test/fixtures/three.bmp", "--model", modelPath, "--json");
  assert.equal(run.status, 0, run.stderr);
  const line = JSON.parse(run.stdout);
  const classifier = await Classifier.load(readFileSync(modelPath), nodeWasmRoot());
  const image = await decodeImage(readFileSync("test/fixtures/three.bmp"));
  const result = classifier.classify(image.data, image.width, image.height);
  classifier.dispose();
  assert.equal(line.digit, result.digit);
  assert.deepEqual(line.probabilities, result.probabilities);
});

test("the default output reads like the tutorial's log", () => {
  const run = predict("test/fixtures/three.bmp", "--model", modelPath);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "test/fixtures/three.bmp");
  for (let d = 0; d < 10; d++) assert.match(lines[d + 1], new RegExp(`^  ${d}: [01]\\.\\d{6}$`));
  assert.match(lines[11], /^ {2}digit 3, probability \d+\.\d\d%, time \d+\.\d{3} ms$/);
  assert.equal(lines.length, 12);
});

test("per-file errors are one line each on stderr; the other files are still classified", () => {
  const run = predict(
    "test/fixtures/errors/empty.png",
    "test/fixtures/three.bmp",
    join(dir, "missing.png"),
    "--model",
    modelPath,
  );
  assert.equal(run.status, 1);
  const errors = run.stderr.trim().split("\n");
  assert.equal(errors.length, 2);
  assert.match(errors[0], /empty\.png: empty file \(0 bytes\)$/);
  assert.match(errors[1], /missing\.png: no such file or directory$/);
  assert.match(run.stdout, /digit 3/);
});

test("a format is told by its bytes, whatever the file is called", () => {
  const renamed = join(dir, "looks-like.png");
  writeFileSync(renamed, readFileSync("test/fixtures/three.bmp"));
  const run = predict(renamed, "--model", modelPath, "--json");
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).digit, 3);
});

test("a directory without images, usage errors and a bad model", () => {
  const empty = join(dir, "empty-dir");
  mkdirSync(empty);
  writeFileSync(join(empty, "notes.txt"), "not walked: not an image extension");
  const none = predict(empty, "--model", modelPath, "--json");
  assert.equal(none.status, 1);
  assert.match(JSON.parse(none.stdout).error, /no image files/);

  const noArgs = predict("--model", modelPath);
  assert.equal(noArgs.status, 2);
  assert.equal(noArgs.stderr.trim().split("\n").length, 1);
  assert.equal(predict("three.bmp", "--colour").status, 2);

  const missing = predict("test/fixtures/three.bmp", "--model", join(dir, "nope.tflite"));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.tflite: no such file or directory/);
  const notModel = predict("test/fixtures/three.bmp", "--model", "test/fixtures/three.bmp");
  assert.equal(notModel.status, 1);
  assert.equal(notModel.stderr.trim().split("\n").length, 1);
  assert.match(notModel.stderr, /three\.bmp: not a (usable \.tflite|valid TFLite) model/);
});
