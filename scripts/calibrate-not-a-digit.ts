// Fits the "is this a digit?" check (src/recognize/not-a-digit.ts) and reports its curve.
// Run: npm run calibrate:not-a-digit -- --help
//
// Data, split so that every figure comes from samples the check was not fitted on:
//   fit          pen digits of writers 01–15 (as drawn, and 7× more slanted and stretched, the way
//                unseen writers differ) and 15,000 MNIST training digits (hundreds more writers)
//                against 4/5 of the letters' writers (each letter drawn 4× as written, 4× slanted)
//   threshold    where 91% of the other 1/5 of the letters' writers (unseen letters) are flagged
//                (--letters), or where --target of writers 16–20's slanted digits are
//   report       the unseen letters; writers 16–20's digits, slanted and as drawn, read (with
//                --unseen-model) by the default model's recipe trained without them, as the
//                default model reads a writer it never saw; writers 21–30's digits as drawn (held
//                out: only reported), and their accuracy through the check
// Everything is rendered the pad's way (src/strokes) and read by the default model in Node.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCommandArgs } from "../src/cli/args.ts";
import { defaultModelPath } from "../src/cli/default-model.ts";
import { openClassifier } from "../src/cli/model-file.ts";
import { loadMnist } from "../src/data/mnist.ts";
import { Classifier } from "../src/recognize/classifier.ts";
import {
  FEATURE_COUNT,
  type NotADigitModel,
  notADigitFeatures,
  notADigitScore,
} from "../src/recognize/not-a-digit.ts";
import { preprocess } from "../src/recognize/preprocess.ts";
import { nodeWasmRoot } from "../src/runtime/node-litert.ts";
import { loadStrokeDigits } from "../src/strokes/dataset.ts";
import { loadStrokeLetters } from "../src/strokes/letters.ts";
import {
  CLASSIFY_SIDE,
  PAD_PEN_FRACTION,
  placeOnPad,
  randomPlacement,
} from "../src/strokes/placement.ts";
import { renderPaths } from "../src/strokes/render.ts";
import { writerNumber } from "../src/strokes/split.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { UserError } from "../src/util/errors.ts";
import { createRng, type Rng, shuffleInPlace } from "../src/util/rng.ts";
import { biomeJson } from "./lib/biome-json.ts";
import { type FittedMlp, fitMlp, standardise } from "./lib/fit-small-mlp.ts";
import { runScript } from "./lib/run-script.ts";

const HELP = `Usage: npm run calibrate:not-a-digit -- [options]

Fits the "is this a digit?" check on real handwritten letters (../shared/data/letters-unipen-dev.json)
against pen digits of writers 01–15 and MNIST training digits, sets its threshold where 91% of the
letters of writers kept out of the fit are flagged, writes src/recognize/not-a-digit.json, and
prints the curve (flag rates against the threshold) on those letters, on writers 16–20 and on the
held-out writers 21–30.

Options:
  --letters X  share of the unseen letters flagged at the threshold (default 0.91)
  --target X   set the threshold instead so that X of writers 16–20's slanted digits are flagged
  --fit-unseen K  writers 16 to 15+K, read by the unseen model, join the fit's digits (as writers
               never seen read); the rest of 16–20 set the threshold (default 0)
  --hidden N   hidden units of each member (default 32)
  --members N  fits averaged into the shipped check (default 5; one layer of N × hidden units)
  --epochs N   passes over the fitting data (default 30)
  --digit-drawings N   drawings of each fitting digit: as drawn, then slanted (default 8)
  --mnist N    MNIST training digits added to the digit side (default 15000)
  --seed N     drawing variations, split and initial weights (default 1)
  --unseen-model FILE  the default model's recipe trained without writers 16–20 (.tflite): it reads
               their digits for the threshold, since the default model has seen them and reads them
               more surely than it reads a new writer (scripts/train-real-handwriting.sh makes it)
  --dry-run    print the curve, write nothing`;

/** Each fitting letter drawn this many times as written, and as many again slanted and stretched. */
const LETTER_DRAWINGS = 4;
/**
 * Each fitting digit as drawn, then slanted and stretched anew for the rest. Chosen on the dev
 * figures (unseen letters, writers 16–20): with 4 rather than 2, at 91% of unseen letters flagged,
 * 0.40% of 16–20's slanted digits were flagged instead of 0.72%; 8 with the MNIST digits, the
 * slanted letters and 3 members, 0.36% (4 drawings, 1 member: 1.28%).
 */
const DIGIT_DRAWINGS = 8;
/**
 * MNIST training digits on the digit side: writers beyond pendigits' 15, so that an unseen
 * writer's style is less often taken for a letter (at 91% of unseen letters, 1.4% of MNIST's
 * test digits flagged against 4.3% without them; writers 16–20 as drawn 1 of 1,250 against 4).
 */
const MNIST_DIGITS = 15000;
/**
 * Fits from different starts, averaged: one fit's flag rate on 16–20 swung 0.4–0.8% by seed. At
 * 91% of unseen letters, 5 members flagged 124 right MNIST test digits of 10,000 against 138 for 3,
 * and 0.24% of 16–20's slanted digits against 0.36%.
 */
const MEMBERS = 5;
/**
 * Share of the unseen letters flagged at the threshold: issue 14 asks for 90%, and 91% leaves two
 * of the 229 letters to spare. The threshold used to flag 0.4% of writers 16–20's slanted digits,
 * but the default model has seen them (it trains on 01–20): a model that reads them more surely
 * than a new writer got a threshold that flagged 1.28% of the held-out writers' digits. Read by
 * the 01–15 model instead, as drawn, 0.40% of them are flagged at 91% of letters.
 */
const LETTERS_FLAGGED = 0.91;
const LETTER_FOLDS = 5;

interface Sample {
  kind: "digit" | "letter";
  label: number;
  writer: string;
  features: Float32Array;
  predicted: number;
}

type Strokes = [number, number][][];

/** A writer's hand differs by slant, stretch and a little rotation: the same digit, drawn anew. */
function distort(strokes: Strokes, rng: Rng): Strokes {
  const angle = (rng() - 0.5) * 0.4;
  const shear = (rng() - 0.5) * 0.5;
  const stretch = 0.8 + rng() * 0.4;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return strokes.map((s) =>
    s.map(([x, y]) => {
      const sx = (x + shear * y) * stretch;
      return [cos * sx - sin * y, sin * sx + cos * y] as [number, number];
    }),
  );
}

function read(classifier: Classifier, strokes: Strokes, rng: Rng) {
  const paths = placeOnPad({ strokes }, CLASSIFY_SIDE, randomPlacement(rng));
  const grey = renderPaths(paths, CLASSIFY_SIDE, CLASSIFY_SIDE * PAD_PEN_FRACTION);
  const input = preprocess(grey, CLASSIFY_SIDE, CLASSIFY_SIDE);
  if (!input) return null;
  const { probabilities, digit } = classifier.classifyInput(input);
  return { features: notADigitFeatures(input, probabilities), predicted: digit };
}

/**
 * The mean of several members' scores is itself one network: their hidden units side by side,
 * the output weights and bias averaged, so the check's format and code stay as they are.
 */
function merge(
  members: FittedMlp[],
  hidden: number,
  mean: number[],
  std: number[],
): NotADigitModel {
  const count = members.length;
  const wide = hidden * count;
  const w1 = new Float64Array(FEATURE_COUNT * wide);
  const b1 = new Float64Array(wide);
  const w2 = new Float64Array(wide);
  members.forEach((m, i) => {
    for (let f = 0; f < FEATURE_COUNT; f++) {
      w1.set(m.w1.subarray(f * hidden, (f + 1) * hidden), f * wide + i * hidden);
    }
    b1.set(m.b1, i * hidden);
    for (let j = 0; j < hidden; j++) w2[i * hidden + j] = m.w2[j] / count;
  });
  const b2 = members.reduce((a, m) => a + m.b2, 0) / count;
  const round = (x: number) => Number(x.toPrecision(5));
  const rounded = (a: ArrayLike<number>) => Array.from(a, round);
  return {
    fittedTo: "",
    threshold: 0,
    mean: rounded(mean),
    std: rounded(std),
    hidden: wide,
    w1: rounded(w1),
    b1: rounded(b1),
    w2: rounded(w2),
    b2: round(b2),
  };
}

/** Standardises the samples once and fits `count` members from different starts. */
function fit(
  samples: Sample[],
  hidden: number,
  count: number,
  epochs: number,
  rng: Rng,
): NotADigitModel {
  const { mean, std, z } = standardise(samples.map((s) => s.features));
  const y: number[] = samples.map((s) => (s.kind === "letter" ? 1 : 0));
  const letters = y.reduce((a, b) => a + b, 0);
  const n = samples.length;
  const weight = y.map((t) => (t === 1 ? (n - letters) / letters : 1)); // classes weigh the same
  const members = Array.from({ length: count }, () =>
    fitMlp(z, y, { hidden, epochs, rng, weight }),
  );
  return merge(members, hidden, mean, std);
}

/** The score at which `share` of `scores` lie above. */
function quantileAbove(scores: number[], share: number): number {
  const sorted = [...scores].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((1 - share) * sorted.length))];
}

/** A threshold halfway between two scores, above which at least `share` of `scores` lie. */
function thresholdFlagging(scores: number[], share: number): number {
  const sorted = [...scores].sort((a, b) => a - b);
  const first = Math.max(1, sorted.length - Math.ceil(share * sorted.length));
  return (sorted[first - 1] + sorted[first]) / 2;
}

async function main(): Promise<number | undefined> {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    target: { type: "string" },
    letters: { type: "string" },
    hidden: { type: "string" },
    members: { type: "string" },
    mnist: { type: "string" },
    epochs: { type: "string" },
    "digit-drawings": { type: "string" },
    seed: { type: "string" },
    "unseen-model": { type: "string" },
    "fit-unseen": { type: "string" },
    "dry-run": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const whole = (name: string, fallback: number, least: number) => {
    const text = values[name as "hidden"];
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n < least) {
      throw new UserError(`--${name} must be a whole number of at least ${least}, not "${text}"`);
    }
    return n;
  };
  const share = (name: "target" | "letters", fallback: number | undefined) => {
    const text = values[name];
    const x = text === undefined ? fallback : Number(text);
    if (x !== undefined && !(x > 0 && x < 1)) {
      throw new UserError(`--${name} must be a share between 0 and 1, not "${text}"`);
    }
    return x;
  };
  const target = share("target", undefined);
  const lettersShare = share("letters", LETTERS_FLAGGED) ?? LETTERS_FLAGGED;
  if (target !== undefined && values.letters !== undefined) {
    throw new UserError("give --letters or --target, not both");
  }
  const hidden = whole("hidden", 32, 1);
  const members = whole("members", MEMBERS, 1);
  const mnistDigits = whole("mnist", MNIST_DIGITS, 0);
  const epochs = whole("epochs", 30, 1);
  const digitDrawings = whole("digit-drawings", DIGIT_DRAWINGS, 1);
  const seed = whole("seed", 1, 0);
  const fitUnseen = whole("fit-unseen", 0, 0);
  if (fitUnseen > 4 || (fitUnseen > 0 && values["unseen-model"] === undefined)) {
    throw new UserError("--fit-unseen takes 0–4 writers, and needs --unseen-model");
  }
  const rng = createRng(seed);
  const modelPath = defaultModelPath();
  const classifier = await Classifier.load(readFileSync(modelPath), nodeWasmRoot());
  const unseenModelPath = values["unseen-model"];
  const thresholdReader = unseenModelPath ? await openClassifier(unseenModelPath) : classifier;
  const fitSet: Sample[] = [];
  const thresholdSet: Sample[] = [];
  const tuneAsDrawn: Sample[] = [];
  const unseenLetters: Sample[] = [];
  const heldOut: Sample[] = [];
  const add = (
    to: Sample[],
    kind: Sample["kind"],
    label: number,
    writer: string,
    strokes: Strokes,
    reader = classifier,
  ) => {
    const r = read(reader, strokes, rng);
    if (r) to.push({ kind, label, writer, ...r });
  };
  for (const d of loadStrokeDigits()) {
    const n = writerNumber(d.writer);
    const fitReader = n <= 15 ? classifier : n <= 15 + fitUnseen ? thresholdReader : undefined;
    if (fitReader) {
      add(fitSet, "digit", d.label, d.writer, d.strokes, fitReader);
      for (let k = 1; k < digitDrawings; k++)
        add(fitSet, "digit", d.label, d.writer, distort(d.strokes, rng), fitReader);
    } else if (n <= 20) {
      add(thresholdSet, "digit", d.label, d.writer, distort(d.strokes, rng), thresholdReader);
      add(tuneAsDrawn, "digit", d.label, d.writer, d.strokes, thresholdReader);
    } else add(heldOut, "digit", d.label, d.writer, d.strokes);
  }
  const { train } = await loadMnist();
  const picked = Array.from({ length: train.count }, (_, i) => i);
  shuffleInPlace(picked, rng);
  for (const i of picked.slice(0, mnistDigits)) {
    const input = Float32Array.from(train.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
    const { probabilities, digit } = classifier.classifyInput(input);
    fitSet.push({
      kind: "digit",
      label: train.labels[i],
      writer: "mnist",
      features: notADigitFeatures(input, probabilities),
      predicted: digit,
    });
  }
  const letters = loadStrokeLetters();
  const writers = [...new Set(letters.map((l) => l.writer))].sort();
  // Its own generator, so that which writers are kept unseen does not hang on the other choices.
  shuffleInPlace(writers, createRng(1000 + seed));
  const unseenWriters = new Set(writers.filter((_, i) => i % LETTER_FOLDS === 0));
  for (const l of letters) {
    if (unseenWriters.has(l.writer)) {
      add(unseenLetters, "letter", -1, l.writer, l.strokes);
      continue;
    }
    for (let k = 0; k < LETTER_DRAWINGS; k++) {
      add(fitSet, "letter", -1, l.writer, l.strokes);
      add(fitSet, "letter", -1, l.writer, distort(l.strokes, rng));
    }
  }
  classifier.dispose();
  if (thresholdReader !== classifier) thresholdReader.dispose();

  const model = fit(fitSet, hidden, members, epochs, rng);
  const score = (s: Sample) => notADigitScore(s.features, model);
  const threshold =
    target === undefined
      ? thresholdFlagging(unseenLetters.map(score), lettersShare)
      : quantileAbove(thresholdSet.map(score), target);
  model.threshold = Number(threshold.toPrecision(6));
  model.fittedTo = modelPath.split("/").pop() ?? "";

  const rate = (set: Sample[], t: number) => set.filter((s) => score(s) > t).length / set.length;
  const accuracy = (t: number, flaggedWrong: boolean) => {
    const answered = heldOut.filter((s) => score(s) <= t);
    const right = answered.filter((s) => s.predicted === s.label).length;
    return right / (flaggedWrong ? heldOut.length : answered.length);
  };
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`.padStart(8);
  const lines = [
    `fitted on ${fitSet.length} samples; threshold where ${target === undefined ? `${lettersShare * 100}% of unseen letters` : `${target * 100}% of ${thresholdSet.length} slanted digits of writers ${16 + fitUnseen}–20`} are flagged;`,
    `reported on ${unseenLetters.length} letters of ${unseenWriters.size} unseen writers and ${heldOut.length} digits of writers 21–30`,
    "",
    `${16 + fitUnseen}–20 (columns "16–20") read by ${unseenModelPath ? "the unseen model" : "the default model"}${fitUnseen ? `; 16–${15 + fitUnseen} fitted on, read by the unseen model` : ""}`,
    "threshold  letters flagged  16–20 slanted flagged  16–20 as drawn flagged  held-out digits flagged  held-out accuracy (answered)  (flagged count as wrong)",
  ];
  const curve = [];
  const thresholds = [-4, -3, -2, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 2, 3, 4, 6].map(
    (d) => model.threshold + d,
  );
  for (const t of [...new Set([...thresholds])].sort((a, b) => a - b)) {
    const row = {
      threshold: Number(t.toFixed(3)),
      letters: rate(unseenLetters, t),
      tuneDigits: rate(thresholdSet, t),
      tuneAsDrawn: rate(tuneAsDrawn, t),
      heldOutDigits: rate(heldOut, t),
      accuracyAnswered: accuracy(t, false),
      accuracyAll: accuracy(t, true),
    };
    curve.push(row);
    const mark = t === model.threshold ? "  ← shipped" : "";
    lines.push(
      `${row.threshold.toFixed(3).padStart(9)}  ${pct(row.letters)}         ${pct(row.tuneDigits)}               ${pct(row.tuneAsDrawn)}              ${pct(row.heldOutDigits)}                ${pct(row.accuracyAnswered)}                   ${pct(row.accuracyAll)}${mark}`,
    );
  }
  lines.push(
    "",
    `no check: held-out accuracy ${pct(accuracy(Number.POSITIVE_INFINITY, true)).trim()}`,
  );
  console.log(lines.join("\n"));
  if (values["dry-run"]) return 0;
  // Laid out as biome would, so the written file passes `biome check` untouched.
  await writeFileAtomic(join("src", "recognize", "not-a-digit.json"), biomeJson({ ...model }));
  await writeFileAtomic(
    join("test-artifacts", "not-a-digit-curve.json"),
    `${JSON.stringify({ threshold: model.threshold, rule: target === undefined ? { letters: lettersShare } : { target }, curve }, null, 1)}\n`,
  );
  console.log("wrote src/recognize/not-a-digit.json and test-artifacts/not-a-digit-curve.json");
  return 0;
}

runScript("calibrate-not-a-digit", main);
