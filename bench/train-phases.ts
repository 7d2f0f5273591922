// Where one epoch of `digitkit train`'s time goes outside the steps: the phases of train()
// (src/train/train.ts) one after another with their wall time, on all 60,000 digits.
// Usage: node --import tsx bench/train-phases.ts [workers (default 2)]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const started = performance.now();
let last = started;
const lap = (what: string) => {
  const now = performance.now();
  console.log(`${what}: ${((now - last) / 1000).toFixed(3)} s`);
  last = now;
};
const { loadMnist } = await import("../src/data/mnist.ts");
const { buildModel } = await import("../src/model/architectures.ts");
const { saveCheckpoint } = await import("../src/model/checkpoint.ts");
const { confusionMatrix } = await import("../src/model/evaluate.ts");
const { useWasmBackend } = await import("../src/train/engines/tfjs-wasm-backend.ts");
const { ParallelTrainer } = await import("../src/train/parallel.ts");
const { trainingReport } = await import("../src/train/report.ts");
lap("imports (TF.js, the training modules)");
const data = await loadMnist();
lap("loading MNIST");
await useWasmBackend();
const model = buildModel("mlp", { seed: 1 });
lap("TF.js wasm backend and the Layers model");
const trainer = await ParallelTrainer.create({
  model,
  arch: "mlp",
  dropout: 0,
  optimizer: { name: "rmsprop", learningRate: 0.001 },
  batchSize: 128,
  seed: 1,
  augment: false,
  train: data.train,
  evalSet: data.test,
  workers: Number(process.argv[2] ?? 2),
});
lap(`starting the workers (${trainer.kernels})`);
const cpu = process.cpuUsage();
await trainer.runEpoch(0);
const used = process.cpuUsage(cpu);
lap(`one epoch's steps (CPU ${((used.user + used.system) / 1e6).toFixed(2)} s)`);
const val = await trainer.evaluate();
lap(`validation on 10,000 (accuracy ${val.acc})`);
const out = mkdtempSync(join(tmpdir(), "digitkit-phases-"));
trainer.copyParamsTo(model);
await saveCheckpoint(model, out, { architecture: "mlp", history: [] } as never);
lap("checkpoint (weights into the Layers model, model.json + weights.bin)");
await trainer.close();
const predictions = trainer.predictions.slice();
const confusion = confusionMatrix(data.test.labels, predictions);
const html = trainingReport({
  title: "phases",
  history: [{ epoch: 1, loss: 1, acc: 1, valLoss: val.loss, valAcc: val.acc, seconds: 1 }],
  testAccuracy: val.acc,
  confusion,
  test: data.test,
  predictions,
  facts: [],
});
lap(`closing the workers, final score and report (${html.length} bytes)`);
rmSync(out, { recursive: true, force: true });
console.log(`total ${((performance.now() - started) / 1000).toFixed(2)} s`);
