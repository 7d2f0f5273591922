// Real handwriting, measured: replays the pen strokes of 30 writers (../shared/data) through the
// app in Chromium (real pointer events), or through the same preprocessing and model in Node, or
// as photographed paper through `digitkit predict`; reports accuracy overall, per digit, per
// writer, tune (01–20) and held-out (21–30) figures, a confusion matrix, calibration, and a
// picture of the misread digits. Run: npm run eval:strokes -- --help
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { PNG } from "pngjs";
import { choiceOption, intOption, parseCommandArgs } from "../src/cli/args.ts";
import { defaultModelPath, MODELS_DIR } from "../src/cli/default-model.ts";
import { readTrainingInfo } from "../src/model/checkpoint.ts";
import { Classifier } from "../src/recognize/classifier.ts";
import { PREFERRED_MODELS } from "../src/recognize/default-model.ts";
import { checksModel, isNotADigit } from "../src/recognize/not-a-digit.ts";
import { readStrokeNumber } from "../src/recognize/split-strokes.ts";
import { PEN_FRACTION } from "../src/recognize/types.ts";
import { nodeWasmRoot } from "../src/runtime/node-litert.ts";
import { loadStrokeDigits, type StrokeDigit } from "../src/strokes/dataset.ts";
import { type Misread, misreadSheet } from "../src/strokes/misread-svg.ts";
import {
  COMPOSE_ASPECT,
  type ComposedNumber,
  type ComposeRanges,
  composeNumber,
  planNumbers,
  REALISTIC,
  TOUCHING,
} from "../src/strokes/number.ts";
import {
  formatNumberReport,
  misreadNumbersSheet,
  type NumberTrial,
  summariseNumbers,
} from "../src/strokes/number-report.ts";
import { installPenStrokes, type PenStrokes } from "../src/strokes/pen-events.ts";
import { type PadPath, placeOnPad } from "../src/strokes/placement.ts";
import { formatReport, type Reading, type StrokeReport, summarise } from "../src/strokes/report.ts";
import { renderNumberScan, renderScan } from "../src/strokes/scan.ts";
import { writerGroup } from "../src/strokes/split.ts";
import { NO_ANSWER, planTrials, readTrials, type Trial, toReading } from "../src/strokes/trials.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { UserError } from "../src/util/errors.ts";
import { createRng } from "../src/util/rng.ts";
import { runScript } from "./lib/run-script.ts";

/** Digits replayed per round trip with --input events. */
const EVENT_BATCH = 50;

const HELP = `Usage: npm run eval:strokes -- [options]

Replays real pen strokes (UCI pendigits, 30 writers, 7,494 digits) and reports how many are read
right: overall, per digit, per writer, writers 01–20 (tune) and 21–30 (held out), a confusion
matrix, calibration (ECE, reliability), and misread.svg, a picture of the misread digits.

Options:
  --mode app|node|scans  app: draw each digit on the app's pad in Chromium with mouse events and
                         press Detect (default); node: render the strokes as the pad does and
                         classify in Node (fast); scans: dark ink on uneven paper, blurred and
                         noisy, saved as PNG and read by \`digitkit predict --json\`
  --input mouse|events   app mode: mouse = Playwright's mouse, the browser's real input pipeline,
                         one round trip per point (default; about a second a digit); events =
                         the same pointer events dispatched on the pad inside the page, ${EVENT_BATCH}
                         digits a round trip (for the full 7,494)
  --model NAME|FILE      model to use (default: the app's default, ${PREFERRED_MODELS[0]})
  --limit N              a random sample of N digits (default: all)
  --writers all|tune|held-out   which writers (default: all)
  --seed N               sample and drawing variations (default: 1)
  --out DIR              where the report goes (default: test-artifacts/eval-strokes-MODE)
  --card                 write the figures into the model's card (models/NAME.json)
  --json                 print the report as one JSON object

Numbers (issue 15): --numbers 4,8 composes numbers of those lengths from one writer's digits
(baseline drift, size changes, gaps from a 15% overlap to wide, slant) and reads them whole:
  --numbers L,L…         lengths of the numbers (app: drawn on the Number pad with pointer
                         events dispatched in the page; node: the same splitting in Node; scans:
                         PNGs of dark ink on paper read by \`digitkit predict --json\`)
  --count N              numbers of each length (default 200)
  --touching             gaps from a 15% overlap to touching only (the hard case for images)
It reports, per length, the share read entirely right, the digits right, the splitting errors
(merged, split, wrong digit, unreadable), and misread-numbers.svg.`;

function resolveModel(model: string | undefined): string {
  if (model === undefined) return defaultModelPath();
  const path = existsSync(model) ? resolve(model) : join(MODELS_DIR, model);
  if (!existsSync(path)) throw new UserError(`${model}: no such model`);
  return path;
}

/** Node: the pad's rendering (pure TS copy) and the shared preprocessing + TFLite runtime. */
async function runNode(trials: Trial[], modelPath: string): Promise<Reading[]> {
  const classifier = await Classifier.load(readFileSync(modelPath), nodeWasmRoot());
  try {
    return readTrials(trials, classifier);
  } finally {
    classifier.dispose();
  }
}

/**
 * The app built into a folder of its own (so that other builds of dist/web are left alone), with
 * the model's folder as its models; returns that folder, for `digitkit serve`.
 */
function buildApp(modelPath: string): string {
  const outDir = resolve(".cache", "eval-strokes-web");
  const build = spawnSync(
    process.execPath,
    ["node_modules/vite/bin/vite.js", "build", "--outDir", outDir, "--logLevel", "error"],
    {
      encoding: "utf8",
      env: { ...process.env, NODE_ENV: "production", DIGITKIT_MODELS_DIR: dirname(modelPath) },
    },
  );
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
  return outDir;
}

/**
 * Runs in the page: for each drawing (strokes of [clientX, clientY]), Clear, pointer events on
 * the pad (down, moves, up per stroke), Detect, and the prediction and ten bars once shown.
 */
async function drawInPage(drawings: number[][][][]) {
  const byId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
  const answers: { prediction: string; probabilities: number[] }[] = [];
  for (const strokes of drawings) {
    byId("clear").click();
    (window as unknown as { penStrokes: PenStrokes }).penStrokes(strokes);
    const before = performance.getEntriesByName("detect").length;
    byId("detect").click();
    for (let wait = 0; performance.getEntriesByName("detect").length === before; wait++) {
      if (wait > 500) throw new Error("no result after Detect");
      await new Promise((r) => setTimeout(r, 2));
    }
    const bars = [
      ...document.querySelectorAll<HTMLElement>('[data-testid="probabilities"] [data-digit]'),
    ];
    const probabilities = new Array<number>(10).fill(0);
    for (const bar of bars) probabilities[Number(bar.dataset.digit)] = Number(bar.dataset.value);
    answers.push({ prediction: byId("prediction").textContent?.trim() ?? "", probabilities });
  }
  return answers;
}

/**
 * The app's digit must be the bars' top one, or "?" when its not-a-digit check flags the ink (the
 * bars still show the model's reading, which is what these figures measure).
 */
function shownAnswer(r: Reading, shown: string): "digit" | "flagged" {
  if (shown === "?") return "flagged";
  if (String(r.predicted) !== shown)
    throw new Error(`bars say ${r.predicted} but the app shows "${shown}"`);
  return "digit";
}

/** Chromium: real mouse events on the app's pad, Detect, and the ten bars read back. */
async function runApp(
  trials: Trial[],
  modelPath: string,
  input: "mouse" | "events",
): Promise<Reading[]> {
  const h = await import("../test/e2e/harness.ts");
  const server = await h.serve(buildApp(modelPath));
  const browser = await h.launch();
  const readings: Reading[] = [];
  let flagged = 0;
  let flaggedRight = 0; // flagged digits the model itself read right: the check's cost
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    await h.prepareContext(context, []);
    await context.addInitScript(installPenStrokes);
    const page = await context.newPage();
    const open = async () => {
      await h.openApp(page, `${server.url}?model=${encodeURIComponent(basename(modelPath))}`);
      await page.getByTestId("live").uncheck();
    };
    await open();
    const started = Date.now();
    const progress = (done: number) => {
      const rate = (Date.now() - started) / done;
      console.error(
        `  ${done}/${trials.length} digits, ${(rate / 1000).toFixed(2)} s each, ETA ${Math.round(((trials.length - done) * rate) / 60000)} min`,
      );
    };
    if (input === "events") {
      // Batches of digits per round trip: pointer events dispatched on the pad inside the page,
      // through the app's own handlers, rasterizing and classifying.
      for (let from = 0; from < trials.length; from += EVENT_BATCH) {
        const batch = trials.slice(from, from + EVENT_BATCH);
        const pad = await h.padBox(page);
        const drawings = batch.map(({ digit, placement }) =>
          placeOnPad(digit, pad.width, placement).map((p) =>
            p.map(([x, y]) => [pad.x + x, pad.y + y]),
          ),
        );
        const answers = await page.evaluate(drawInPage, drawings);
        for (const [k, answer] of answers.entries()) {
          const r = toReading(batch[k].digit, answer.probabilities);
          if (shownAnswer(r, answer.prediction) === "flagged") {
            flagged++;
            if (r.predicted === r.label) flaggedRight++;
          }
          readings.push(r);
        }
        if (Math.floor((from + batch.length) / 500) > Math.floor(from / 500)) {
          progress(from + batch.length);
        }
      }
    } else {
      for (const [i, { digit, placement }] of trials.entries()) {
        if (i > 0 && i % 500 === 0) await open(); // a fresh page now and then keeps memory flat
        const pad = await h.padBox(page);
        const paths = placeOnPad(digit, pad.width, placement).map((p) =>
          p.map(([x, y]) => ({ x: pad.x + x, y: pad.y + y })),
        );
        await page.getByTestId("clear").click();
        await h.drawWithMouse(page, paths);
        const result = await h.detect(page);
        const probabilities = new Array<number>(10).fill(0);
        for (const bar of result.bars) probabilities[bar.digit] = bar.value;
        const r = toReading(digit, probabilities);
        if (shownAnswer(r, result.prediction) === "flagged") {
          flagged++;
          if (r.predicted === r.label) flaggedRight++;
        }
        readings.push(r);
        if ((i + 1) % 250 === 0) progress(i + 1);
      }
    }
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
  const right = readings.filter((r) => r.predicted === r.label).length;
  const shownRight = right - flaggedRight;
  console.error(
    `${flagged} of ${readings.length} digits shown as "not sure this is a digit" (${flaggedRight} of them read right by the model; the figures below are the model's readings, from the bars); shown and right: ${shownRight} of ${readings.length} (${((100 * shownRight) / readings.length).toFixed(2)}%)`,
  );
  return readings;
}

/** Paper: PNG photos of the digits, classified by the CLI exactly as a user would. */
async function runScans(
  trials: Trial[],
  modelPath: string,
  out: string,
  seed: number,
): Promise<Reading[]> {
  const dir = join(out, "scans");
  mkdirSync(dir, { recursive: true });
  const rng = createRng(seed + 1000);
  const size = 160;
  const files: string[] = [];
  for (const [i, { digit, placement }] of trials.entries()) {
    const pen = size * (0.035 + rng() * 0.05); // ballpoint to felt-tip
    const paths = placeOnPad(digit, size, placement, pen);
    const png = new PNG({ width: size, height: size });
    png.data = Buffer.from(renderScan(paths, size, pen, rng));
    const file = join(dir, `${String(i).padStart(5, "0")}-${digit.label}.png`);
    await writeFileAtomic(file, PNG.sync.write(png));
    files.push(file);
  }
  const byFile = new Map<string, number[]>();
  for (let i = 0; i < files.length; i += 500) {
    const run = spawnSync(
      process.execPath,
      ["bin/digitkit.js", "predict", "--json", "--model", modelPath, ...files.slice(i, i + 500)],
      { encoding: "utf8", maxBuffer: 1 << 28 },
    );
    for (const line of run.stdout.split("\n")) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { file: string; probabilities?: number[] };
      byFile.set(resolve(entry.file), entry.probabilities ?? NO_ANSWER);
    }
    if (run.status !== 0 && run.status !== 1)
      throw new Error(`digitkit predict failed: ${run.stderr}`);
  }
  return trials.map(({ digit }, i) => {
    const p = byFile.get(resolve(files[i]));
    if (!p) throw new Error(`digitkit predict gave no answer for ${files[i]}`);
    return toReading(digit, p);
  });
}

/**
 * Where the app's runner-up hint should start, judged on the tuning writers only: the highest
 * shown-probability band in which fewer than 90% of digits were right.
 */
function runnerUpAdvice(report: StrokeReport): string {
  const shaky = report.tuneReliability.filter((b) => b.n > 0 && b.accuracy < 0.9);
  if (shaky.length === 0)
    return "on writers 01–20 every shown-probability band was right at least 90% of the time";
  return `on writers 01–20, digits shown below ${(Math.max(...shaky.map((b) => b.to)) * 100).toFixed(0)}% were right less than 90% of the time`;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    mode: { type: "string" },
    input: { type: "string" },
    model: { type: "string" },
    limit: { type: "string" },
    writers: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    card: { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean" },
    numbers: { type: "string" },
    count: { type: "string" },
    touching: { type: "boolean" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.numbers !== undefined) {
    const lengths = values.numbers.split(",").map((v) => intOption("numbers", v, 1, 1));
    if (lengths.some((l) => l > 24)) throw new UserError("--numbers: at most 24 digits a number");
    return evalNumbers({
      mode: choiceOption("mode", values.mode, ["app", "node", "scans"] as const, "app"),
      modelPath: resolveModel(values.model),
      lengths,
      count: intOption("count", values.count, 200, 1),
      writers: choiceOption("writers", values.writers, ["all", "tune", "held-out"], "held-out"),
      seed: intOption("seed", values.seed, 1, 0),
      touching: values.touching === true,
      out: values.out,
      json: values.json === true,
    });
  }
  const mode = choiceOption("mode", values.mode, ["app", "node", "scans"] as const, "app");
  const input = choiceOption("input", values.input, ["mouse", "events"] as const, "mouse");
  const writers = choiceOption("writers", values.writers, ["all", "tune", "held-out"], "all");
  const seed = intOption("seed", values.seed, 1, 0);
  const limit = values.limit === undefined ? undefined : intOption("limit", values.limit, 1);
  const modelPath = resolveModel(values.model);
  const out = values.out ?? join("test-artifacts", `eval-strokes-${mode}`);
  mkdirSync(out, { recursive: true });

  const trials = planTrials(loadStrokeDigits(), writers, limit, seed);
  const started = Date.now();
  console.error(`${mode}: ${trials.length} digits with ${basename(modelPath)}`);
  const readings =
    mode === "app"
      ? await runApp(trials, modelPath, input)
      : mode === "node"
        ? await runNode(trials, modelPath)
        : await runScans(trials, modelPath, out, seed);
  const seconds = (Date.now() - started) / 1000;
  const report = summarise(readings);

  const misread: Misread[] = readings.flatMap((r, i) =>
    r.predicted === r.label
      ? []
      : [{ ...r, paths: placeOnPad(trials[i].digit, 200, trials[i].placement) as PadPath[] }],
  );
  await writeFileAtomic(join(out, "misread.svg"), misreadSheet(misread, 200, 20));
  const summary = {
    model: basename(modelPath),
    mode,
    seed,
    seconds,
    ...report,
  };
  await writeFileAtomic(join(out, "report.json"), `${JSON.stringify(summary, null, 1)}\n`);
  const text = `${basename(modelPath)}, ${mode}, ${trials.length} digits in ${seconds.toFixed(0)} s\n${formatReport(report)}\nrunner-up: ${runnerUpAdvice(report)}\nmisread digits: ${join(out, "misread.svg")}`;
  await writeFileAtomic(join(out, "report.txt"), `${text}\n`);
  console.log(values.json ? JSON.stringify(summary) : text);
  if (values.card) await updateCard(modelPath, mode, input, report, trials.length, argv);
  return 0;
}

/** Adds the figures to the model's card: `strokes` (app or node mode) or `scans`. */
async function updateCard(
  modelPath: string,
  mode: string,
  input: string,
  report: StrokeReport,
  n: number,
  argv: string[],
): Promise<void> {
  const cardPath = modelPath.replace(/\.tflite$/, ".json");
  if (!existsSync(cardPath)) throw new UserError(`${cardPath}: no model card to update`);
  const card = JSON.parse(readFileSync(cardPath, "utf8")) as Record<string, unknown>;
  const round = (v: number) => Math.round(v * 10000) / 10000;
  card[mode === "scans" ? "scans" : "strokes"] = {
    source: "UCI pendigits pen strokes, 30 writers (CC BY 4.0); tune 01–20, held out 21–30",
    path:
      mode === "app"
        ? `app in Chromium, ${input === "mouse" ? "Playwright mouse" : "pointer events dispatched in the page"}`
        : mode === "node"
          ? "Node, pad rendering"
          : "PNG photos via digitkit predict",
    digits: n,
    heldOutAccuracy: round(report.heldOut.accuracy),
    tuneAccuracy: round(report.tune.accuracy),
    accuracy: round(report.overall.accuracy),
    heldOutEce: round(report.heldOutEce),
    command: `npm run eval:strokes -- ${argv.filter((a) => a !== "--card").join(" ")}`.trim(),
  };
  // How the shipped checkpoint was made beyond `digitkit train`: its extra data and calibration.
  const checkpoint =
    typeof card.checkpoint === "string" ? join(dirname(cardPath), card.checkpoint) : "";
  if (checkpoint && existsSync(join(checkpoint, "training.json"))) {
    const training = readTrainingInfo(checkpoint);
    if (training.calibration) card.calibration = training.calibration;
    if (training.trainingData) card.trainingData = training.trainingData;
  }
  await writeFileAtomic(cardPath, `${JSON.stringify(card, null, 2)}\n`);
}

interface NumberOptions {
  mode: "app" | "node" | "scans";
  modelPath: string;
  lengths: number[];
  count: number;
  writers: string;
  seed: number;
  touching: boolean;
  out: string | undefined;
  json: boolean;
}

/** The numbers to read: digits of one writer each, in the writer group asked for. */
function planNumberDigits(o: NumberOptions): StrokeDigit[][] {
  const digits = loadStrokeDigits().filter(
    (d) =>
      o.writers === "all" || writerGroup(d.writer) === (o.writers === "tune" ? "tune" : "heldOut"),
  );
  return planNumbers(digits, o.lengths, o.count, createRng(o.seed));
}

function ranges(o: NumberOptions): ComposeRanges {
  return o.touching ? TOUCHING : REALISTIC;
}

/** Numbers composed and read in Node: the app's splitting, rendering and model, no browser. */
async function numbersInNode(o: NumberOptions, plans: StrokeDigit[][]): Promise<NumberTrial[]> {
  const classifier = await Classifier.load(readFileSync(o.modelPath), nodeWasmRoot());
  const rng = createRng(o.seed + 1);
  // The app's not-a-digit check, for the model it was fitted to.
  const check = checksModel(o.modelPath) ? isNotADigit : undefined;
  try {
    return plans.map((plan) => {
      const number = composeNumber(plan, rng, COMPOSE_ASPECT, ranges(o));
      const reading = readStrokeNumber(number.strokes, classifier, check);
      return toNumberTrial(number, reading.number ?? "", reading.digits.length, reading.unreadable);
    });
  } finally {
    classifier.dispose();
  }
}

function toNumberTrial(
  number: ComposedNumber,
  read: string,
  found: number,
  unreadable?: string,
): NumberTrial {
  return {
    writer: number.writer,
    labels: number.labels,
    read,
    found,
    unreadable,
    strokes: number.strokes,
  };
}

/**
 * Runs in the page: for each number (strokes of [clientX, clientY]), Clear, the pointer events of
 * each stroke on the pad, Detect, and what the app shows once the answer is there.
 */
async function drawNumbersInPage(drawings: number[][][][]) {
  const byId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
  const answers: { prediction: string; digits: number; message: string; ms: number }[] = [];
  for (const strokes of drawings) {
    byId("clear").click();
    (window as unknown as { penStrokes: PenStrokes }).penStrokes(strokes);
    const before = performance.getEntriesByName("detect").length;
    const message = byId("message");
    message.textContent = "";
    byId("detect").click();
    for (let wait = 0; ; wait++) {
      if (performance.getEntriesByName("detect").length > before || message.textContent) break;
      if (wait > 1000) throw new Error("no answer after Detect");
      await new Promise((r) => setTimeout(r, 2));
    }
    const entries = performance.getEntriesByName("detect");
    answers.push({
      prediction: byId("prediction").textContent?.trim() ?? "",
      digits: document.querySelectorAll('[data-testid="digits"] [data-testid="digit"]').length,
      message: message.textContent ?? "",
      ms: entries.length > before ? entries[entries.length - 1].duration : Number.NaN,
    });
  }
  return answers;
}

/** Numbers drawn on the app's Number pad in Chromium, with pointer events, and read by Detect. */
async function numbersInApp(o: NumberOptions, plans: StrokeDigit[][]): Promise<NumberTrial[]> {
  const h = await import("../test/e2e/harness.ts");
  const server = await h.serve(buildApp(o.modelPath));
  const browser = await h.launch();
  const trials: NumberTrial[] = [];
  const rng = createRng(o.seed + 1);
  const times: number[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await h.prepareContext(context, []);
    await context.addInitScript(installPenStrokes);
    const page = await context.newPage();
    await h.openApp(
      page,
      `${server.url}?model=${encodeURIComponent(basename(o.modelPath))}&number=1`,
    );
    await page.getByTestId("live").uncheck();
    const pad = await h.padBox(page);
    for (let from = 0; from < plans.length; from += EVENT_BATCH) {
      const numbers = plans
        .slice(from, from + EVENT_BATCH)
        .map((plan) => composeNumber(plan, rng, pad.width / pad.height, ranges(o)));
      const drawings = numbers.map((n) =>
        n.strokes.map((s) => s.map((p) => [pad.x + p.x * pad.height, pad.y + p.y * pad.height])),
      );
      const answers = await page.evaluate(drawNumbersInPage, drawings);
      for (const [k, a] of answers.entries()) {
        trials.push(toNumberTrial(numbers[k], a.prediction, a.digits, a.message || undefined));
        if (Number.isFinite(a.ms)) times.push(a.ms);
      }
    }
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
  times.sort((a, b) => a - b);
  console.error(`Detect to answer: median ${times[Math.floor(times.length / 2)]?.toFixed(1)} ms`);
  return trials;
}

/** Numbers photographed on paper (PNG), read by `digitkit predict --json` as a user would. */
async function numbersInScans(
  o: NumberOptions,
  plans: StrokeDigit[][],
  out: string,
): Promise<NumberTrial[]> {
  const dir = join(out, "scans");
  mkdirSync(dir, { recursive: true });
  const rng = createRng(o.seed + 1);
  const numbers: ComposedNumber[] = [];
  const files: string[] = [];
  for (const [i, plan] of plans.entries()) {
    const number = composeNumber(plan, rng, COMPOSE_ASPECT, ranges(o));
    const scan = renderNumberScan(number.strokes, COMPOSE_ASPECT, rng);
    const png = new PNG({ width: scan.width, height: scan.height });
    png.data = Buffer.from(scan.rgba);
    const file = join(dir, `${String(i).padStart(5, "0")}-${number.labels.join("")}.png`);
    await writeFileAtomic(file, PNG.sync.write(png));
    numbers.push(number);
    files.push(file);
  }
  const byFile = new Map<
    string,
    { number: string | null; digits?: unknown[]; unreadable?: string }
  >();
  for (let i = 0; i < files.length; i += 200) {
    const run = spawnSync(
      process.execPath,
      ["bin/digitkit.js", "predict", "--json", "--model", o.modelPath, ...files.slice(i, i + 200)],
      { encoding: "utf8", maxBuffer: 1 << 28 },
    );
    if (run.status !== 0 && run.status !== 1)
      throw new Error(`digitkit predict failed: ${run.stderr}`);
    for (const line of run.stdout.split("\n")) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line);
      byFile.set(
        resolve(entry.file),
        entry.error ? { number: null, unreadable: entry.error } : entry,
      );
    }
  }
  return numbers.map((number, i) => {
    const entry = byFile.get(resolve(files[i]));
    if (!entry) throw new Error(`digitkit predict gave no answer for ${files[i]}`);
    return toNumberTrial(number, entry.number ?? "", entry.digits?.length ?? 0, entry.unreadable);
  });
}

async function evalNumbers(o: NumberOptions): Promise<number> {
  const out =
    o.out ?? join("test-artifacts", `eval-numbers-${o.mode}${o.touching ? "-touching" : ""}`);
  mkdirSync(out, { recursive: true });
  const plans = planNumberDigits(o);
  const started = Date.now();
  console.error(
    `${o.mode}: ${plans.length} numbers (${o.lengths.join(", ")} digits) with ${basename(o.modelPath)}`,
  );
  const trials =
    o.mode === "node"
      ? await numbersInNode(o, plans)
      : o.mode === "app"
        ? await numbersInApp(o, plans)
        : await numbersInScans(o, plans, out);
  const seconds = (Date.now() - started) / 1000;
  const group = o.writers === "tune" ? "tune" : o.writers === "held-out" ? "heldOut" : "all";
  const report = summariseNumbers(trials, group);
  await writeFileAtomic(
    join(out, "misread-numbers.svg"),
    misreadNumbersSheet(trials, PEN_FRACTION),
  );
  const summary = {
    model: basename(o.modelPath),
    mode: o.mode,
    seed: o.seed,
    touching: o.touching,
    seconds,
    ...report,
  };
  await writeFileAtomic(join(out, "report.json"), `${JSON.stringify(summary, null, 1)}\n`);
  const text = `${basename(o.modelPath)}, ${o.mode}${o.touching ? ", touching" : ""}, ${trials.length} numbers in ${seconds.toFixed(0)} s\n${formatNumberReport(report)}\nmisread numbers: ${join(out, "misread-numbers.svg")}`;
  await writeFileAtomic(join(out, "report.txt"), `${text}\n`);
  console.log(o.json ? JSON.stringify(summary) : text);
  return 0;
}

runScript("eval:strokes", () => main(process.argv.slice(2)));
