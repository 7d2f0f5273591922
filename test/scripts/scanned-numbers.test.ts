// The scan crops the CNN can train on (build-stroke-data --scan-crops): digits the image splitter
// cuts out of scanned numbers, labelled by the composition.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { scanCropImages, scanNumbers } from "../../scripts/lib/scanned-numbers.ts";
import { defaultModelPath } from "../../src/cli/default-model.ts";
import { Classifier } from "../../src/recognize/classifier.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { loadStrokeDigits } from "../../src/strokes/dataset.ts";
import { writerNumber } from "../../src/strokes/split.ts";
import { createRng } from "../../src/util/rng.ts";

test("scan crops are whole digits of the scanned numbers, with those digits' labels", async () => {
  const digits = loadStrokeDigits().filter((d) => writerNumber(d.writer) === 1);
  const scanned = scanNumbers(digits, [3], 6, false, createRng(5));
  const classifier = await Classifier.load(readFileSync(defaultModelPath()), nodeWasmRoot());
  try {
    const crops = scanCropImages(scanned, classifier);
    assert.equal(crops.images.length, crops.count * 784);
    assert.equal(crops.labels.length, crops.count);
    // Spaced 3-digit numbers: most digits come out whole, some as several candidates.
    assert.ok(crops.count >= 12, `only ${crops.count} crops from 18 digits`);
    const written = new Set(scanned.flatMap(({ number }) => number.labels));
    for (const label of crops.labels) assert.ok(written.has(label), `label ${label} not written`);
    // Each crop is ink on black, as the classifier's input is.
    for (let i = 0; i < crops.count; i++) {
      const image = crops.images.subarray(i * 784, (i + 1) * 784);
      assert.ok(
        Math.max(...image) > 200 && image[0] === 0,
        `crop ${i} is not a preprocessed digit`,
      );
    }
    // The classifier reads most crops as their label (they are digits, not halves or pairs).
    let agree = 0;
    for (let i = 0; i < crops.count; i++) {
      const input = Float32Array.from(
        crops.images.subarray(i * 784, (i + 1) * 784),
        (v) => v / 255,
      );
      if (classifier.classifyInput(input).digit === crops.labels[i]) agree++;
    }
    assert.ok(agree >= 0.8 * crops.count, `${agree} of ${crops.count} crops read as their label`);
  } finally {
    classifier.dispose();
  }
});
