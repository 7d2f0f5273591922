// Recognition speed in Node: one-digit inference through the official TFLite runtime (LiteRT.js
// Wasm), against TF.js `wasm` predict on the very same network in the same run, and the whole
// classification of a 280×280 drawing (preprocess + inference). Goals: inference ≤ 56 µs median
// (the PyTorch peer), 280×280 drawing ≤ 1 ms. Run: npm run bench recognize (BENCH_QUICK=1: fewer).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import { convertLayersModel } from "../src/export/convert.ts";
import { type Architecture, buildModel } from "../src/model/architectures.ts";
import { loadCheckpoint } from "../src/model/checkpoint.ts";
import { Classifier } from "../src/recognize/classifier.ts";
import { preprocess } from "../src/recognize/preprocess.ts";
import { nodeWasmRoot } from "../src/runtime/node-litert.ts";
import { Activation } from "../src/tflite/schema.ts";
import { serializeGraph } from "../src/tflite/writer.ts";
import { useWasmBackend } from "../src/train/engines/tfjs-wasm-backend.ts";
import { canvas, seven, stroke, toRgba } from "../test/recognize/draw.ts";
import { denseSoftmaxGraph } from "../test/tflite/tiny-model.ts";
import { median } from "./median.ts";

const quick = process.env.BENCH_QUICK === "1";
const RUNS = quick ? 2_000 : 5_000;
const REPEATS = quick ? 3 : 5;

/** Median time of one call in µs, timing each call; the median of REPEATS such medians. */
function timeUs(call: () => unknown, runs = RUNS): { median: number; text: string } {
  for (let i = 0; i < Math.min(500, runs); i++) call(); // warm up the JIT and the runtime
  const medians: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const times = new Float64Array(runs);
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      call();
      times[i] = (performance.now() - started) * 1000;
    }
    medians.push(median(Array.from(times)));
  }
  const sorted = [...medians].sort((a, b) => a - b);
  const m = median(medians);
  return {
    median: m,
    text: `${m.toFixed(1)} µs (${sorted[0].toFixed(1)}–${sorted.at(-1)!.toFixed(1)})`,
  };
}

/** The network as shipped when its checkpoint is there, else the same architecture untrained. */
async function layersModel(arch: Architecture, name: string) {
  const dir = `models/checkpoints/${name}`;
  if (existsSync(`${dir}/model.json`)) return { model: await loadCheckpoint(dir), from: dir };
  return { model: buildModel(arch, { seed: 1 }), from: `untrained ${arch} (no ${dir})` };
}

await useWasmBackend();
const drawing = canvas(280, 280);
stroke(drawing, seven(60, 40, 200), 18);
const drawingRgba = toRgba(drawing.data);
const input = preprocess(drawingRgba, 280, 280)!;

console.log(
  `Node ${process.version}, ${RUNS} runs × ${REPEATS}; medians (range of the ${REPEATS} medians)`,
);
console.log("note: the machine's two cores may be shared with other work; compare within a run");
for (const [arch, name] of [
  ["mlp", "mnist_mlp"],
  ["cnn", "mnist_cnn"],
] as const) {
  const { model, from } = await layersModel(arch, name);
  const tflite = serializeGraph(convertLayersModel(model, name));
  const classifier = await Classifier.load(tflite, nodeWasmRoot());
  const shape = [1, ...model.inputs[0].shape.slice(1).map((d) => d ?? 1)];
  const x = tf.tensor(input, shape);
  const runs = arch === "cnn" ? Math.ceil(RUNS / 10) : RUNS;

  const lite = timeUs(() => classifier.classifyInput(input), runs);
  const tfjs = timeUs(() => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()), runs);
  const whole = timeUs(() => classifier.classify(drawingRgba, 280, 280), Math.ceil(runs / 10));
  console.log(`\n${name} (${from}), ${tflite.length} bytes as .tflite`);
  console.log(`  one-digit inference, LiteRT.js (wasm):   ${lite.text}`);
  console.log(`  one-digit inference, TF.js wasm predict: ${tfjs.text}`);
  console.log(`  TF.js / LiteRT: ${(tfjs.median / lite.median).toFixed(1)}×`);
  console.log(`  280×280 drawing, preprocess + inference: ${whole.text}`);
  if (arch === "mlp") {
    console.log(`  goal ≤ 56 µs inference (float32): ${lite.median <= 56 ? "met" : "NOT met"}`);
  }
  console.log(`  goal ≤ 1 ms drawing: ${whole.median <= 1000 ? "met" : "NOT met"}`);
  x.dispose();
  classifier.dispose();
}

const pre = timeUs(() => preprocess(drawingRgba, 280, 280), quick ? 200 : 2_000);
console.log(`\npreprocess alone, 280×280 RGBA: ${pre.text}`);
// The runtime's fixed cost per call: a model with almost no arithmetic (784 → 10, one layer and
// the softmax every shipped model ends in), built like the tests' hand-made models.
const tiny = await Classifier.load(
  serializeGraph(
    denseSoftmaxGraph({
      description: "per-call overhead probe",
      inputShape: [1, 784],
      weights: Float32Array.from({ length: 7840 }, (_, i) => ((i * 7) % 13) / 100),
      bias: new Float32Array(10),
      activation: Activation.NONE,
      hiddenName: "z",
    }),
  ),
  nodeWasmRoot(),
);
const overhead = timeUs(() => tiny.classifyInput(input));
console.log(`runtime per-call overhead (784→10 model): ${overhead.text}`);
tiny.dispose();

const shippedFiles = existsSync("models")
  ? readdirSync("models")
      .filter((name) => name.endsWith(".tflite"))
      .sort()
      .map((name) => `models/${name}`)
  : [];
for (const file of shippedFiles) {
  const shipped = await Classifier.load(readFileSync(file), nodeWasmRoot());
  const t = timeUs(() => shipped.classifyInput(input), file.includes("cnn") ? RUNS / 10 : RUNS);
  // The ≤ 56 µs goal is the tutorial network's (the peer's figure); the CNN is listed for scale.
  const goal = file.includes("mlp") ? `, goal ≤ 56 µs ${t.median <= 56 ? "met" : "NOT met"}` : "";
  console.log(`shipped ${file}: one-digit inference ${t.text}${goal}`);
  const drawn = timeUs(() => shipped.classify(drawingRgba, 280, 280), RUNS / 20);
  const met = drawn.median <= 1000 ? "met" : "NOT met";
  console.log(`  280×280 drawing, preprocess + inference: ${drawn.text}, goal ≤ 1 ms ${met}`);
  shipped.dispose();
}
