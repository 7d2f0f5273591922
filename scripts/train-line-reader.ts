// Trains the image splitter's line reader (src/recognize/line-reader.ts) and writes it as a
// float32 .tflite. Run: npm run train:line-reader -- --help
//
// Data, split by writer (21–30 are never read here): numbers of 1–8 digits composed from
// writers 01–15's pen digits, half of them touching (gaps from a 15% overlap to touching), rendered
// as scans the way `eval:strokes --mode scans` renders them and cut to the line strip
// (line-image.ts); 1,000 numbers of writers 16–20 to check each epoch. With --mnist, numbers of
// 1–10 MNIST training digits too, photographed the same way (scripts/lib/mnist-lines.ts), and 500
// numbers of the first half of MNIST's test digits to check. The network is convolutions only
// (CONV_2D and MAX_POOL_2D, which every runtime and our plain path run), trained with CTC
// (src/train/ctc-loss.ts) on TF.js's wasm backend; the epoch that reads most check numbers
// entirely right (the mean over the check sets) is written.
//
// The shipped reader: the defaults (pendigits only, from scratch), then
//   --numbers 16000 --mnist 16000 --epochs 5 --seed 2 --rate 0.001 --from <that reader>
// (its epoch was kept by writers 16–20 alone: the MNIST check came after it).
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { intOption, parseCommandArgs } from "../src/cli/args.ts";
import { type Dataset, loadMnist } from "../src/data/mnist.ts";
import { convertLayersModel } from "../src/export/convert.ts";
import { bestPath, CLASSES, frameLogProbabilities } from "../src/recognize/ctc.ts";
import { LINE_HEIGHT, LINE_WIDTH, lineImage } from "../src/recognize/line-image.ts";
import { FRAME_CENTRE, FRAME_STRIDE } from "../src/recognize/line-reader.ts";
import { imageRow, ONLY_SHADING } from "../src/recognize/split-image.ts";
import { loadStrokeDigits, type StrokeDigit } from "../src/strokes/dataset.ts";
import {
  COMPOSE_ASPECT,
  composeNumber,
  planNumbers,
  REALISTIC,
  TOUCHING,
} from "../src/strokes/number.ts";
import { renderNumberScan } from "../src/strokes/scan.ts";
import { writerRole } from "../src/strokes/split.ts";
import { readTflite } from "../src/tflite/reader.ts";
import { serializeGraph } from "../src/tflite/writer.ts";
import { ctcLoss } from "../src/train/ctc-loss.ts";
import { useWasmBackend } from "../src/train/engines/tfjs-wasm-backend.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { UserError } from "../src/util/errors.ts";
import { readRegularFileSync } from "../src/util/read-file.ts";
import { createRng, type Rng } from "../src/util/rng.ts";
import { datasetPart, MNIST_CHECK_DIGITS, randomBitmapNumberScan } from "./lib/mnist-lines.ts";
import { runScript } from "./lib/run-script.ts";

const HELP = `Usage: npm run train:line-reader -- [options]

Trains the line reader that checks the image splitter's numbers, and writes it.

Options:
  --numbers N   training numbers, writers 01–15 (default 27000; about 35 ms each to make)
  --mnist N     more training numbers laid out from MNIST's training digits, 1–10 long
                (default 0; about 57 ms each to make)
  --from FILE   start from this line reader's weights (default: at random)
  --rate R      Adam's learning rate (default 0.002)
  --epochs N    passes over them (default 10, about 3–4 min each for 27000)
  --seed N      seed of the numbers and of the shuffling (default 1)
  --out FILE    where to write the .tflite (default models/line-reader/line_reader.tflite)
  -h, --help    this help`;

const LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8];
const CHECK_NUMBERS = 1000;
const BATCH = 64;
const LEARNING_RATE = 2e-3;
/** MNIST numbers are up to 10 digits long: the app reads up to 12, pendigits' are up to 8. */
const MNIST_LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const STRIP = LINE_HEIGHT * LINE_WIDTH;

interface Lines {
  pixels: Float32Array[];
  labels: number[][];
  /** Each digit's centre (the middle of its ink's width) in strip pixels. */
  centres: number[][];
}

/**
 * Adds a photographed number to `lines` as the splitter sees it: its ink's row, cut to a strip,
 * with each digit's centre (in image pixels) moved into strip pixels. A scan the splitter finds
 * no line in is left out.
 */
function addLine(
  lines: Lines,
  scan: { rgba: Uint8ClampedArray; width: number; height: number },
  labels: number[],
  centresInImage: number[],
): void {
  const row = imageRow(scan.rgba, scan.width, scan.height);
  if (!row || row === ONLY_SHADING || row.parts.length === 0) return;
  const strip = lineImage(
    row.ink,
    row.parts.map((p) => p.box),
    row.line,
  );
  lines.pixels.push(strip.pixels);
  lines.labels.push(labels);
  lines.centres.push(centresInImage.map((c) => (c / row.factor - strip.left) / strip.step));
}

/** Numbers of the given writers' digits, spaced and touching, as line strips with their digits. */
function makeLines(digits: StrokeDigit[], count: number, rng: Rng): Lines {
  const lines: Lines = { pixels: [], labels: [], centres: [] };
  const each = Math.ceil(count / 2 / LENGTHS.length);
  for (const touching of [false, true]) {
    for (const plan of planNumbers(digits, LENGTHS, each, rng)) {
      const number = composeNumber(plan, rng, COMPOSE_ASPECT, touching ? TOUCHING : REALISTIC);
      const scan = renderNumberScan(number.strokes, COMPOSE_ASPECT, rng);
      // A digit's centre is the middle of its strokes' width.
      const centres = number.labels.map((_, k) => {
        const xs = scan.paths
          .filter((_, s) => number.strokeDigit[s] === k)
          .flat()
          .map((p) => p[0]);
        return (Math.min(...xs) + Math.max(...xs)) / 2;
      });
      addLine(lines, scan, number.labels, centres);
    }
  }
  return lines;
}

/** Numbers of MNIST digits, spaced and touching, as line strips with their digits. */
function makeMnistLines(data: Dataset, count: number, rng: Rng, lines: Lines): void {
  for (let n = 0; n < count; n++) {
    const length = MNIST_LENGTHS[Math.floor(rng() * MNIST_LENGTHS.length)];
    const scan = randomBitmapNumberScan(data, length, rng, n % 2 === 1 ? TOUCHING : REALISTIC);
    addLine(lines, scan, scan.labels, scan.centres);
  }
}

/** Sets a network's weights from a line reader it was written from (same layers, in order). */
function loadReaderWeights(model: tfl.Sequential, bytes: Uint8Array): void {
  const graph = readTflite(bytes).subgraphs[0];
  const weights: tf.Tensor[] = [];
  for (const op of graph.operators.filter((o) => o.name === "CONV_2D")) {
    const [filter, bias] = [op.inputs[1], op.inputs[2]].map((i) => graph.tensors[i]);
    if (!filter.data || !bias.data)
      throw new UserError("the line reader's weights are not constant");
    const f = new Float32Array(filter.data.slice().buffer);
    // TFLite keeps a filter as [out, kh, kw, in]; Keras as [kh, kw, in, out].
    weights.push(
      tf.tidy(() =>
        tf.transpose(
          tf.tensor4d(f, filter.shape as [number, number, number, number]),
          [1, 2, 3, 0],
        ),
      ),
    );
    weights.push(tf.tensor1d(new Float32Array(bias.data.slice().buffer)));
  }
  const want = model.getWeights();
  const fits =
    weights.length === want.length &&
    weights.every((w, i) => w.shape.join() === want[i].shape.join());
  if (!fits) throw new UserError("--from: not a line reader of this network's layers");
  model.setWeights(weights);
}

/** The network: two conv + pool stages, a conv to one row of frames, two wider convs along it. */
function lineNetwork(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({
      inputShape: [LINE_HEIGHT, LINE_WIDTH, 1],
      filters: 16,
      kernelSize: 3,
      activation: "relu",
    }),
  );
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu" }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.conv2d({ filters: 96, kernelSize: [4, 3], activation: "relu" }));
  // Along the row: each frame sees about two digits' width, enough to tell where one ends.
  model.add(tfl.layers.conv2d({ filters: 96, kernelSize: [1, 5], activation: "relu" }));
  model.add(tfl.layers.conv2d({ filters: 96, kernelSize: [1, 5], activation: "relu" }));
  model.add(tfl.layers.conv2d({ filters: CLASSES, kernelSize: 1 }));
  return model;
}

function batchTensor(lines: Lines, indices: readonly number[]): tf.Tensor4D {
  const x = new Float32Array(indices.length * STRIP);
  for (const [k, i] of indices.entries()) x.set(lines.pixels[i], k * STRIP);
  return tf.tensor4d(x, [indices.length, LINE_HEIGHT, LINE_WIDTH, 1]);
}

/**
 * The share of numbers read entirely right, overall and by length ("4:81" is 81% of 4-digit
 * ones), and where the digits of those read right are in the strip against the frames that read
 * them: the median of centre − FRAME_STRIDE · (middle frame), line-reader.ts's FRAME_CENTRE.
 */
function check(
  model: tfl.Sequential,
  lines: Lines,
  frames: number,
): { right: number; byLength: string; frameCentre: number } {
  const byLength = new Map<number, [number, number]>();
  const offsets: number[] = [];
  let right = 0;
  for (let from = 0; from < lines.pixels.length; from += 256) {
    const indices = Array.from(
      { length: Math.min(256, lines.pixels.length - from) },
      (_, k) => from + k,
    );
    const x = batchTensor(lines, indices);
    const scores = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    x.dispose();
    indices.forEach((i, k) => {
      const path = bestPath(frameLogProbabilities(scores, k * frames * CLASSES, frames));
      const ok = path.map((p) => p.digit).join("") === lines.labels[i].join("");
      if (ok) {
        for (const [j, p] of path.entries()) {
          offsets.push(lines.centres[i][j] - (FRAME_STRIDE * (p.first + p.last)) / 2);
        }
      }
      right += ok ? 1 : 0;
      const tally = byLength.get(lines.labels[i].length) ?? [0, 0];
      tally[0] += ok ? 1 : 0;
      tally[1]++;
      byLength.set(lines.labels[i].length, tally);
    });
  }
  const text = [...byLength]
    .sort((a, b) => a[0] - b[0])
    .map(([n, [r, all]]) => `${n}:${Math.round((100 * r) / all)}`);
  offsets.sort((a, b) => a - b);
  const frameCentre = offsets.length ? offsets[offsets.length >> 1] : Number.NaN;
  return { right: right / lines.pixels.length, byLength: text.join(" "), frameCentre };
}

async function main(): Promise<number | undefined> {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    numbers: { type: "string" },
    epochs: { type: "string" },
    seed: { type: "string" },
    mnist: { type: "string" },
    from: { type: "string" },
    rate: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const count = intOption("numbers", values.numbers, 27000, 16);
  const epochs = intOption("epochs", values.epochs, 10, 1);
  const seed = intOption("seed", values.seed, 1, 0);
  const mnist = intOption("mnist", values.mnist, 0, 0);
  const rate = Number(values.rate ?? LEARNING_RATE);
  if (!(rate > 0 && rate < 1))
    throw new UserError(`--rate must be a number between 0 and 1, not ${values.rate}`);
  const out = values.out ?? "models/line-reader/line_reader.tflite";
  await useWasmBackend();
  const all = loadStrokeDigits();
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
  const rng = createRng(seed);
  const train = makeLines(
    all.filter((d) => writerRole(d.writer) === "train"),
    count,
    rng,
  );
  const held = makeLines(
    all.filter((d) => writerRole(d.writer) === "calibrate"),
    CHECK_NUMBERS,
    rng,
  );
  // With MNIST numbers to learn from, numbers of MNIST's test digits (other writers) are checked
  // too, and the epoch kept is the one best on both sources.
  const checks: { name: string; lines: Lines }[] = [{ name: "writers 16–20", lines: held }];
  if (mnist > 0) {
    const mnistData = await loadMnist();
    makeMnistLines(mnistData.train, mnist, rng, train);
    const mnistHeld: Lines = { pixels: [], labels: [], centres: [] };
    makeMnistLines(
      datasetPart(mnistData.test, 0, MNIST_CHECK_DIGITS),
      CHECK_NUMBERS / 2,
      rng,
      mnistHeld,
    );
    checks.push({ name: "MNIST test digits", lines: mnistHeld });
  }
  console.log(
    `${train.pixels.length} training numbers, ${checks.map((c) => c.lines.pixels.length).join(" + ")} to check, made in ${seconds()} s`,
  );
  const model = lineNetwork();
  const frames = model.outputs[0].shape[2] as number;
  console.log(`${frames} frames, ${model.countParams()} parameters`);
  let best = { right: -1, weights: [] as tf.Tensor[], epoch: -1, frameCentre: Number.NaN };
  /** Checks the network on each check set, and keeps its weights if the mean share is the best. */
  const keepIfBest = (epoch: number, what: string) => {
    const results = checks.map((c) => ({ name: c.name, ...check(model, c.lines, frames) }));
    const text = results.map(
      (r) => `${r.name} read right ${(100 * r.right).toFixed(1)}% [by digits ${r.byLength}]`,
    );
    console.log(`${what}: ${text.join(", ")}, ${seconds()} s`);
    const right = results.reduce((sum, r) => sum + r.right, 0) / results.length;
    if (right <= best.right) return;
    for (const w of best.weights) w.dispose();
    const weights = model.getWeights().map((w) => w.clone());
    best = { right, weights, epoch, frameCentre: results[0].frameCentre };
  };
  if (values.from) {
    loadReaderWeights(
      model,
      readRegularFileSync(values.from, { maxBytes: 16 << 20, what: "a line reader" }),
    );
    keepIfBest(0, `from ${values.from}`);
  }
  const optimizer = tf.train.adam(rate);
  const order = Array.from({ length: train.pixels.length }, (_, i) => i);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    let steps = 0;
    for (let from = 0; from + BATCH <= order.length; from += BATCH) {
      const indices = order.slice(from, from + BATCH);
      const labels = indices.map((i) => train.labels[i]);
      const x = batchTensor(train, indices);
      // TF.js has no CTC loss: ours computes it and its gradient on the frame scores.
      const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const scores = args[0] as tf.Tensor;
        const { loss, gradient } = ctcLoss(scores.dataSync() as Float32Array, frames, labels);
        lossSum += loss;
        steps++;
        const shape = scores.shape;
        return {
          value: tf.scalar(loss),
          gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor(gradient, shape)),
        };
      });
      optimizer.minimize(() => loss(model.apply(x) as tf.Tensor) as tf.Scalar);
      x.dispose();
    }
    keepIfBest(epoch, `epoch ${epoch}/${epochs}: loss ${(lossSum / steps).toFixed(3)}`);
  }
  model.setWeights(best.weights);
  const graph = convertLayersModel(
    model,
    "DigitKit line reader: [1,24,192,1] line strip → [1,1,frames,11] CTC scores (digits 0–9, blank)",
  );
  await writeFileAtomic(out, serializeGraph(graph));
  console.log(
    `wrote ${out} (epoch ${best.epoch}, ${(100 * best.right).toFixed(1)}% of the check numbers read right)`,
  );
  // The frames fire where the network learnt to: line-reader.ts must be told (its boxes use it).
  console.log(
    Number.isNaN(best.frameCentre)
      ? "it read no check number right, so where its frames fire is not known (keep FRAME_CENTRE)"
      : `its frames read digits centred at x = ${FRAME_STRIDE}·t + ${best.frameCentre.toFixed(1)} (FRAME_CENTRE in line-reader.ts is ${FRAME_CENTRE})`,
  );
  return 0;
}

runScript("train-line-reader", main);
