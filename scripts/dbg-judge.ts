import { readFileSync } from "node:fs";
import { defaultModelPath } from "../src/cli/default-model.ts";
import { Classifier } from "../src/recognize/classifier.ts";
import { renderPathsInto } from "../src/recognize/render-strokes.ts";
import { forEachCandidatePixel, readImageNumber } from "../src/recognize/split-image.ts";
import { nodeWasmRoot } from "../src/runtime/node-litert.ts";
import { loadStrokeDigits } from "../src/strokes/dataset.ts";
import { COMPOSE_ASPECT, composeNumber, planNumbers, REALISTIC } from "../src/strokes/number.ts";
import { renderNumberScan } from "../src/strokes/scan.ts";
import { writerNumber } from "../src/strokes/split.ts";
import { createRng } from "../src/util/rng.ts";
const classifier = await Classifier.load(readFileSync(defaultModelPath()), nodeWasmRoot());
const digits = loadStrokeDigits().filter((d) => writerNumber(d.writer) > 15 && writerNumber(d.writer) <= 20);
const rng = createRng(5);
for (const plan of planNumbers(digits, [4], 12, rng)) {
  const number = composeNumber(plan, rng, COMPOSE_ASPECT, REALISTIC);
  const scan = renderNumberScan(number.strokes, COMPOSE_ASPECT, rng);
  const owner = new Int8Array(scan.width * scan.height).fill(-1);
  const strongest = new Uint8Array(scan.width * scan.height);
  for (let d = 0; d < 4; d++) {
    const cover = renderPathsInto(scan.paths.filter((_, s) => number.strokeDigit[s] === d), scan.width, scan.height, scan.pen * 1.6 + 2);
    for (let i = 0; i < cover.length; i++) if (cover[i] > strongest[i]) { strongest[i] = cover[i]; owner[i] = d; }
  }
  const lines: string[] = [];
  let all: Float64Array | null = null;
  const r = readImageNumber(scan.rgba, scan.width, scan.height, classifier, {
    judgeWeight: 0,
    inspect: (row, from, to, reading) => {
      if (!all) { all = new Float64Array(5); forEachCandidatePixel(row, 0, row.parts.length, (i, v) => { all![owner[i] + 1] += v; }); lines.push(`parts ${row.parts.length} digitInk ${Array.from(all, (x) => x.toFixed(0)).join(" ")}`); }
      const mine = new Float64Array(5);
      forEachCandidatePixel(row, from, to, (i, v) => { mine[owner[i] + 1] += v; });
      const top = reading.probabilities.indexOf(Math.max(...reading.probabilities));
      lines.push(`  ${from}-${to} read ${top} ink ${Array.from(mine, (x) => x.toFixed(0)).join(" ")}`);
    },
  });
  console.log(number.labels.join(""), "read", r.number);
  console.log(lines.join("\n"));
}
classifier.dispose();
