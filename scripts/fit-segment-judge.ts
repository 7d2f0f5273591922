// Fits the image splitter's judge, "is this candidate one whole digit?" (src/recognize/
// segment-judge.ts), and chooses how much it counts. Run: npm run fit:segment-judge -- --help
//
// Data, split by writer (21–30 are never read here):
//   fit      numbers composed from writers 01–15's pen digits, rendered as scans the way
//            `eval:strokes --mode scans` renders them (spaced and touching); every candidate crop
//            the splitter reads is a sample, labelled by the composition: one whole digit when at
//            least `pure` (--pure) of its ink is one digit's and it holds at least WHOLE of that digit's ink
//   choose   numbers of writers 16–20 (4 digits, spaced and touching): the judge's weight in the
//            grouping (and the check of its fit) is the one that reads most of them entirely right
// Then the judge, at its chosen weight, is fine-tuned on whole groupings of the fit numbers
// (scripts/lib/fit-grouping.ts): crop by crop it cannot learn that a merged pair must lose to its
// two halves, only the grouping's −log P(number read right) teaches that. The epoch that groups
// most of writers 16–20's numbers right is kept, and only when the splitter reads more of them
// right with it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { intOption, parseCommandArgs } from "../src/cli/args.ts";
import { defaultModelPath } from "../src/cli/default-model.ts";
import { Classifier } from "../src/recognize/classifier.ts";
import {
  judgeFeatures,
  judgeLogOdds,
  type SegmentJudgeModel,
} from "../src/recognize/segment-judge.ts";
import {
  CUT_REACHES,
  CUT_WIDTH,
  candidateGeometry,
  DENSE_CUTS,
  IMAGE_GROUPING,
  readImageNumber,
} from "../src/recognize/split-image.ts";
import { nodeWasmRoot } from "../src/runtime/node-litert.ts";
import { loadStrokeDigits } from "../src/strokes/dataset.ts";
import type { ComposedNumber } from "../src/strokes/number.ts";
import type { NumberScanImage } from "../src/strokes/scan.ts";
import { writerNumber } from "../src/strokes/split.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { UserError } from "../src/util/errors.ts";
import { createRng, type Rng } from "../src/util/rng.ts";
import { biomeJson } from "./lib/biome-json.ts";
import {
  fitGrouping,
  type GroupingParams,
  type RawGroupingRow,
  rawGroupingRow,
  readRight,
  standardisedRows,
} from "./lib/fit-grouping.ts";
import { fitMlp, standardise } from "./lib/fit-small-mlp.ts";
import { runScript } from "./lib/run-script.ts";
import {
  digitInkOf,
  digitOwners,
  labelCandidate,
  type Scanned,
  scanNumbers,
  spacedAndTouchingNumbers,
} from "./lib/scanned-numbers.ts";

const HELP = `Usage: npm run fit:segment-judge -- [options]

Fits the image splitter's judge ("is this candidate crop one whole digit?") on the candidates the
splitter proposes on scanned numbers of writers 01–15, chooses its weight in the grouping on
4-digit numbers of writers 16–20 (spaced and touching), fine-tunes it on whole groupings of the
fitting numbers (so that the grouping spelling the number wins), writes
src/recognize/segment-judge.json, and prints what each weight and each epoch gave.

Options:
  --numbers N   numbers composed for fitting (default 1600, half of them touching)
  --choose N    numbers of writers 16–20 of each kind (spaced, touching) to choose on (default 150)
  --hidden N    hidden units (default 32)
  --epochs N    passes over the fitting data (default 30)
  --weights W,W…   weights tried (default 0,0.5,1,1.5,2,3)
  --bonuses B,B…   scores per digit tried with each weight (default 1, the splitter's own)
  --seed N      compositions, renderings and initial weights (default 1)
  --cut-width X   parts wider than X line heights are cut (default: the splitter's)
  --dense-cuts X  dense cut proposals every X line heights (default: the splitter's; 0: none)
  --cut-reaches R,R…  reaches (line heights) of the cut paths offered side by side (default: the splitter's)
  --max-parts N   the most parts one digit is grouped from (default: the splitter's)
  --grouping-epochs N  passes of the fine-tuning on whole groupings (default 8; 0: none)
  --grouping-rate X    its learning rate (default 1e-3)
  --pure X      a candidate is labelled one whole digit when at least X of its ink is one digit's
                (and it holds 0.8 of that digit's ink; default 0.8)
  --oracle-only   print only how many numbers of writers 16–20 hold a grouping of whole
                  candidates (and the readings a number took); fit nothing
  --out FILE    where the weights go (default src/recognize/segment-judge.json)
  --dry-run     print the figures, write nothing`;

/** A candidate is one whole digit when this share of its ink is one digit's… */
let pure = 0.8;
/** …and it holds this share of that digit's ink. */
const WHOLE = 0.8;

interface Sample {
  features: Float32Array;
  whole: boolean;
}

/** Numbers whose candidates hold a grouping of whole digits only (the best a judge can reach). */
const reachable = { numbers: 0, within: 0 };
let cutWidth = CUT_WIDTH;
let denseCuts = DENSE_CUTS;
let cutReaches: readonly number[] = CUT_REACHES;
let maxParts = IMAGE_GROUPING.maxParts;

/**
 * The candidates the splitter reads in one scanned number, each labelled whole or not, and the
 * row they make for grouping fits.
 */
function candidatesOf(
  number: ComposedNumber,
  scan: NumberScanImage,
  classifier: Classifier,
): { samples: Sample[]; row: RawGroupingRow } {
  const owner = digitOwners(number, scan);
  const samples: Sample[] = [];
  const byPlace = new Map<string, Float32Array>();
  const candidates: RawGroupingRow["candidates"] = [];
  let joins: number[] = [];
  const wholes: [number, number][] = [];
  let partCount = 0;
  let digitInk: Float64Array | null = null;
  readImageNumber(scan.rgba, scan.width, scan.height, classifier, {
    judgeWeight: 0,
    cutWidth,
    denseCuts,
    cutReaches,
    maxParts,
    inspect: (row, from, to, reading) => {
      if (row.factor !== 1) throw new Error("fitting scans must not be shrunk");
      digitInk ??= digitInkOf(row, owner, number.labels.length);
      const { purity, coverage } = labelCandidate(row, from, to, owner, digitInk);
      const whole = purity >= pure && coverage >= WHOLE;
      const features = judgeFeatures(
        reading.input,
        reading.probabilities,
        candidateGeometry(row, from, to),
      );
      samples.push({ features, whole });
      byPlace.set(`${from},${to}`, features);
      partCount = row.parts.length;
      joins = row.join;
      if (whole) wholes.push([from, to]);
    },
    scored: (from, to, digit, base) => {
      const features = byPlace.get(`${from},${to}`);
      if (features) candidates.push({ from, to, digit, base, features });
    },
  });
  // The fewest and most whole digits a chain of whole candidates can cover all parts with.
  const chains: Set<number>[] = Array.from({ length: partCount + 1 }, () => new Set<number>());
  chains[0].add(0);
  for (let to = 1; to <= partCount; to++) {
    for (const [from, end] of wholes) {
      if (end === to) for (const c of chains[from]) chains[to].add(c + 1);
    }
  }
  reachable.numbers++;
  if (chains[partCount].has(number.labels.length)) reachable.within++;
  return { samples, row: rawGroupingRow(partCount, joins, candidates, number.labels) };
}

/** Weights as written to the JSON: six significant digits are plenty, and keep the file small. */
const round = (a: ArrayLike<number>) => Array.from(a, (x) => Number(x.toPrecision(6)));

/** The judge fitted to the samples (scripts/lib/fit-small-mlp.ts). */
function fit(samples: Sample[], hidden: number, epochs: number, rng: Rng): SegmentJudgeModel {
  const { mean, std, z } = standardise(samples.map((s) => s.features));
  const y = samples.map((s) => (s.whole ? 1 : 0));
  const { w1, b1, w2, b2 } = fitMlp(z, y, { hidden, epochs, rng });
  return {
    fittedTo: "",
    weight: 0,
    digitBonus: 1,
    mean: round(mean),
    std: round(std),
    hidden,
    w1: round(w1),
    b1: round(b1),
    w2: round(w2),
    b2: Number(b2.toPrecision(6)),
  };
}

/** Log-loss and accuracy (at even odds) of the judge on some samples. */
function judgeFigures(samples: Sample[], model: SegmentJudgeModel) {
  let loss = 0;
  let right = 0;
  for (const s of samples) {
    const t = judgeLogOdds(s.features, model);
    const p = 1 / (1 + Math.exp(-t));
    loss -= Math.log(Math.max(1e-12, s.whole ? p : 1 - p));
    if (t > 0 === s.whole) right++;
  }
  return { loss: loss / samples.length, accuracy: right / samples.length };
}

/** A judge's layers and scores as the grouping fit takes them, and back. */
function groupingParams(model: SegmentJudgeModel): GroupingParams {
  return {
    w1: Float64Array.from(model.w1),
    b1: Float64Array.from(model.b1),
    w2: Float64Array.from(model.w2),
    b2: model.b2,
    weight: model.weight,
    bonus: model.digitBonus,
  };
}

function withParams(model: SegmentJudgeModel, p: GroupingParams): SegmentJudgeModel {
  return {
    ...model,
    w1: round(p.w1),
    b1: round(p.b1),
    w2: round(p.w2),
    b2: Number(p.b2.toPrecision(6)),
    digitBonus: Number(p.bonus.toPrecision(4)),
  };
}

/**
 * The judge fine-tuned on whole groupings of the fit numbers (scripts/lib/fit-grouping.ts),
 * keeping the epoch whose groupings read most of writers 16–20's numbers right; the tuned judge
 * replaces the crop-by-crop one only when the splitter itself reads more of them right with it.
 */
function tunedOnGroupings(
  model: SegmentJudgeModel,
  fitRows: readonly RawGroupingRow[],
  chooseRows: readonly RawGroupingRow[],
  options: {
    epochs: number;
    learningRate: number;
    rng: Rng;
    before: number;
    readRight: (judge: SegmentJudgeModel) => { spaced: number; touching: number };
  },
): SegmentJudgeModel {
  const started = Date.now();
  const rows = standardisedRows(fitRows, model);
  const check = standardisedRows(chooseRows, model);
  const start = groupingParams(model);
  let best = { params: start, right: readRight(start, check), epoch: 0 };
  console.log(
    `\ngrouping fit on ${rows.length} numbers of writers 01–15: epoch 0, ${(best.right * 100).toFixed(1)}% of writers 16–20's numbers grouped right`,
  );
  fitGrouping(rows, start, {
    epochs: options.epochs,
    learningRate: options.learningRate,
    rng: options.rng,
    report: (epoch, loss, p) => {
      const right = readRight(p, check);
      console.log(
        `  epoch ${epoch}: loss ${loss.toFixed(3)}, ${(right * 100).toFixed(1)}% grouped right, score per digit ${p.bonus.toFixed(3)}`,
      );
      if (right > best.right)
        best = {
          params: { ...p, w1: p.w1.slice(), b1: p.b1.slice(), w2: p.w2.slice() },
          right,
          epoch,
        };
    },
  });
  if (best.epoch === 0) {
    console.log("the grouping fit read no more numbers right: the crop-by-crop judge stays");
    return model;
  }
  const tuned = withParams(model, best.params);
  const { spaced, touching } = options.readRight(tuned);
  const choose = chooseRows.length / 2;
  const pct = (x: number) => `${((x / choose) * 100).toFixed(1)}%`;
  console.log(
    `epoch ${best.epoch} read by the splitter: spaced ${pct(spaced)}, touching ${pct(touching)} (before: ${((options.before / (2 * choose)) * 100).toFixed(1)}% of both, now ${(((spaced + touching) / (2 * choose)) * 100).toFixed(1)}%), ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (spaced + touching <= options.before) {
    console.log("the splitter reads no more numbers right with it: the crop-by-crop judge stays");
    return model;
  }
  return tuned;
}

function parseWeights(text: string, option = "weights"): number[] {
  const weights = text.split(",").map(Number);
  if (weights.some((w) => !Number.isFinite(w) || w < 0))
    throw new UserError(`--${option} must be numbers ≥ 0 separated by commas, got "${text}"`);
  return weights;
}

async function main(): Promise<number | undefined> {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    numbers: { type: "string" },
    choose: { type: "string" },
    hidden: { type: "string" },
    epochs: { type: "string" },
    weights: { type: "string" },
    bonuses: { type: "string" },
    seed: { type: "string" },
    "cut-width": { type: "string" },
    "dense-cuts": { type: "string" },
    "cut-reaches": { type: "string" },
    "max-parts": { type: "string" },
    pure: { type: "string" },
    "grouping-epochs": { type: "string" },
    "grouping-rate": { type: "string" },
    "oracle-only": { type: "boolean" },
    out: { type: "string" },
    "dry-run": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const count = intOption("numbers", values.numbers, 1600, 2);
  const choose = intOption("choose", values.choose, 150, 1);
  const hidden = intOption("hidden", values.hidden, 32, 1);
  const epochs = intOption("epochs", values.epochs, 30, 1);
  const seed = intOption("seed", values.seed, 1, 0);
  const weights = parseWeights(values.weights ?? "0,0.5,1,1.5,2,3");
  const bonuses = parseWeights(values.bonuses ?? "1");
  const groupingEpochs = intOption("grouping-epochs", values["grouping-epochs"], 8, 0);
  const groupingRate = Number(values["grouping-rate"] ?? 1e-3);
  if (!(groupingRate > 0 && groupingRate < 1))
    throw new UserError("--grouping-rate must be a number above 0, below 1");
  cutWidth = Number(values["cut-width"] ?? CUT_WIDTH);
  denseCuts = Number(values["dense-cuts"] ?? DENSE_CUTS);
  if (values["cut-reaches"] !== undefined)
    cutReaches = parseWeights(values["cut-reaches"], "cut-reaches");
  maxParts = intOption("max-parts", values["max-parts"], IMAGE_GROUPING.maxParts, 1);
  pure = Number(values.pure ?? pure);
  if (!(pure > 0.5 && pure <= 1))
    throw new UserError("--pure must be a number above 0.5, at most 1");
  const rng = createRng(seed);
  const modelPath = defaultModelPath();
  const classifier = await Classifier.load(readFileSync(modelPath), nodeWasmRoot());
  const all = loadStrokeDigits();
  const fitWriters = all.filter((d) => writerNumber(d.writer) <= 15);
  const chooseWriters = all.filter((d) => {
    const w = writerNumber(d.writer);
    return w > 15 && w <= 20;
  });
  try {
    const started = Date.now();
    if (values["oracle-only"]) {
      for (const touching of [false, true]) {
        const numbers = scanNumbers(chooseWriters, [4], choose, touching, rng);
        reachable.numbers = 0;
        reachable.within = 0;
        let readings = 0;
        for (const { number, scan } of numbers)
          readings += candidatesOf(number, scan, classifier).samples.length;
        console.log(
          `${touching ? "touching" : "spaced"} 4-digit numbers of writers 16–20 whose candidates hold a grouping of whole digits: ${reachable.within} of ${reachable.numbers} (${(readings / numbers.length).toFixed(1)} readings a number), ${((Date.now() - started) / 1000).toFixed(0)} s`,
        );
      }
      return 0;
    }
    const fitNumbers = spacedAndTouchingNumbers(fitWriters, count, rng);
    const samples: Sample[] = [];
    const fitRows: RawGroupingRow[] = [];
    for (const { number, scan } of fitNumbers) {
      const read = candidatesOf(number, scan, classifier);
      samples.push(...read.samples);
      fitRows.push(read.row);
    }
    const wholeShare = samples.filter((s) => s.whole).length / samples.length;
    console.log(
      `${samples.length} candidates from ${fitNumbers.length} numbers of writers 01–15 (${(wholeShare * 100).toFixed(1)}% whole digits), ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    const chooseNumbers = {
      spaced: scanNumbers(chooseWriters, [4], choose, false, rng),
      touching: scanNumbers(chooseWriters, [4], choose, true, rng),
    };
    const chooseSamples: Sample[] = [];
    const chooseRows: RawGroupingRow[] = [];
    for (const kind of ["spaced", "touching"] as const) {
      reachable.numbers = 0;
      reachable.within = 0;
      for (const { number, scan } of chooseNumbers[kind]) {
        const read = candidatesOf(number, scan, classifier);
        chooseSamples.push(...read.samples);
        chooseRows.push(read.row);
      }
      console.log(
        `${kind} numbers of writers 16–20 whose candidates hold a grouping of whole digits: ${reachable.within} of ${reachable.numbers}`,
      );
    }
    const model = fit(samples, hidden, epochs, rng);
    model.fittedTo = modelPath.split("/").pop() ?? "";
    const onFit = judgeFigures(samples, model);
    const onChoose = judgeFigures(chooseSamples, model);
    console.log(
      `judge: log-loss ${onFit.loss.toFixed(3)}, accuracy ${(onFit.accuracy * 100).toFixed(1)}% on its fitting candidates; ${onChoose.loss.toFixed(3)}, ${(onChoose.accuracy * 100).toFixed(1)}% on ${chooseSamples.length} candidates of writers 16–20`,
    );
    console.log("\nweight  bonus  4 digits entirely right (writers 16–20): spaced  touching  both");
    let bestWeight = 0;
    let bestBonus = 1;
    let bestRight = -1;
    const pct = (x: number) => `${((x / choose) * 100).toFixed(1)}%`.padStart(6);
    const readRightWith = (judge: SegmentJudgeModel, weight: number, bonus: number) => {
      const right = (set: Scanned[]) =>
        set.filter(
          ({ number, scan }) =>
            readImageNumber(scan.rgba, scan.width, scan.height, classifier, {
              judge,
              judgeWeight: weight,
              digitBonus: bonus,
              cutWidth,
              denseCuts,
              cutReaches,
              maxParts,
            }).number === number.labels.join(""),
        ).length;
      return { spaced: right(chooseNumbers.spaced), touching: right(chooseNumbers.touching) };
    };
    for (const weight of weights) {
      for (const bonus of weight === 0 ? [1] : bonuses) {
        const { spaced, touching } = readRightWith(model, weight, bonus);
        console.log(
          `${weight.toString().padStart(6)}  ${bonus.toString().padStart(5)}  ${" ".repeat(38)}${pct(spaced)}   ${pct(touching)}  ${(((spaced + touching) / (2 * choose)) * 100).toFixed(1)}%`,
        );
        if (spaced + touching > bestRight) {
          bestRight = spaced + touching;
          bestWeight = weight;
          bestBonus = bonus;
        }
      }
    }
    model.digitBonus = bestBonus;
    model.weight = bestWeight;
    console.log(`\nchosen weight: ${bestWeight}, score per digit ${bestBonus}`);
    const shipped =
      groupingEpochs > 0 && bestWeight > 0
        ? tunedOnGroupings(model, fitRows, chooseRows, {
            epochs: groupingEpochs,
            learningRate: groupingRate,
            rng,
            before: bestRight,
            readRight: (tuned) => readRightWith(tuned, tuned.weight, tuned.digitBonus),
          })
        : model;
    if (values["dry-run"]) return 0;
    const out = values.out ?? join("src", "recognize", "segment-judge.json");
    await writeFileAtomic(out, biomeJson({ ...shipped }));
    console.log(`wrote ${out}`);
    return 0;
  } finally {
    classifier.dispose();
  }
}

runScript("fit-segment-judge", main);
