// Writes a training folder for `digitkit train --data DIR`: MNIST's training set plus the pen
// strokes of writers 01–15 (--writers train, the default: 16–20 are kept for calibration) or
// 01–20 (--writers tune), never 21–30, the held-out writers; drawn as the app's pad draws them
// and preprocessed as the app preprocesses them; MNIST's test set unchanged.
// Usage: node --import tsx scripts/build-stroke-data.ts [--out DIR] [--copies N] [--seed N]
//        [--writers train|tune] [--scan-crops N]
// --scan-crops N adds the digits the image splitter cuts out of N numbers of the same writers
// rendered as scans (half of them touching): crops that hold one digit nearly whole, with a
// neighbour's stray ink where their strokes cross (scripts/lib/scanned-numbers.ts).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { choiceOption, intOption, parseCommandArgs } from "../src/cli/args.ts";
import { defaultModelPath } from "../src/cli/default-model.ts";
import { encodeIdx } from "../src/data/idx.ts";
import { defaultMnistDir, loadMnist } from "../src/data/mnist.ts";
import { Classifier } from "../src/recognize/classifier.ts";
import { nodeWasmRoot } from "../src/runtime/node-litert.ts";
import { loadStrokeDigits, type StrokeDigit } from "../src/strokes/dataset.ts";
import { writerGroup, writerRole } from "../src/strokes/split.ts";
import { renderTrainingImages } from "../src/strokes/training-set.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { createRng, type Rng } from "../src/util/rng.ts";
import { runScript } from "./lib/run-script.ts";
import { scanCropImages, spacedAndTouchingNumbers } from "./lib/scanned-numbers.ts";

async function main(): Promise<undefined> {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    out: { type: "string" },
    copies: { type: "string" },
    seed: { type: "string" },
    writers: { type: "string" },
    "scan-crops": { type: "string" },
  });
  const out = values.out ?? ".cache/mnist-pendigits";
  const copies = intOption("copies", values.copies, 4, 1, 50);
  const seed = intOption("seed", values.seed, 1, 0);
  const scanCropNumbers = intOption("scan-crops", values["scan-crops"], 0, 0);

  const started = Date.now();
  const { train } = await loadMnist();
  // train: writers 01–15 (16–20 stay for calibration); tune: all of 01–20.
  const writers = choiceOption("writers", values.writers, ["train", "tune"] as const, "train");
  const trainWriters = loadStrokeDigits().filter((d) =>
    writers === "tune" ? writerGroup(d.writer) === "tune" : writerRole(d.writer) === "train",
  );
  const strokes = renderTrainingImages(trainWriters, copies, createRng(seed));
  const crops = await scanCrops(trainWriters, scanCropNumbers, createRng(seed + 1));
  const parts = [train, strokes, crops];
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const part of parts) {
    images.set(part.images, at * 784);
    labels.set(part.labels, at);
    at += part.count;
  }

  mkdirSync(out, { recursive: true });
  await writeFileAtomic(join(out, "train-images-idx3-ubyte"), encodeIdx([count, 28, 28], images));
  await writeFileAtomic(join(out, "train-labels-idx1-ubyte"), encodeIdx([count], labels));
  const mnist = defaultMnistDir();
  for (const name of ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
    const from = existsSync(join(mnist, name)) ? join(mnist, name) : join(mnist, `${name}.gz`);
    await writeFileAtomic(
      join(out, from.endsWith(".gz") ? `${name}.gz` : name),
      readFileSync(from),
    );
  }
  // Read by scripts/calibrate.ts into the checkpoint's record, so the model card says what it saw.
  const about = {
    description: `MNIST training set (${train.count}) + ${strokes.count} pen-stroke drawings of writers ${writers === "tune" ? "01–20" : "01–15"} (UCI pendigits, CC BY 4.0), ${copies} random drawings each, rendered as the app's pad draws and preprocessed as the app preprocesses${crops.count ? ` + ${crops.count} digits cut by the image splitter from ${scanCropNumbers} of their numbers rendered as scans` : ""}`,
    command: `node --import tsx scripts/build-stroke-data.ts --out ${out} --copies ${copies} --seed ${seed} --writers ${writers}${scanCropNumbers ? ` --scan-crops ${scanCropNumbers}` : ""}`,
  };
  await writeFileAtomic(join(out, "about.json"), `${JSON.stringify(about, null, 2)}\n`);
  console.log(
    `${out}: ${train.count} MNIST + ${strokes.count} pen-stroke images (writers ${writers === "tune" ? "01–20" : "01–15"}, ${copies} drawings each)${crops.count ? ` + ${crops.count} scan crops` : ""} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

/** The digits the image splitter cuts from `numbers` scanned numbers of these writers. */
async function scanCrops(digits: StrokeDigit[], numbers: number, rng: Rng) {
  if (numbers === 0) return { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  const scanned = spacedAndTouchingNumbers(digits, numbers, rng);
  const classifier = await Classifier.load(readFileSync(defaultModelPath()), nodeWasmRoot());
  try {
    return scanCropImages(scanned, classifier);
  } finally {
    classifier.dispose();
  }
}

runScript("build-stroke-data", main);
