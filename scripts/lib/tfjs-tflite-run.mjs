// Runs a .tflite model in @tensorflow/tfjs-tflite (the TFLite runtime of about 2021, as wasm) in
// Node, in a process of its own because of the shims it needs: `self`, `location`,
// `importScripts` (it loads its wasm glue as a worker would), a `fetch` that reads its .wasm
// from disk, no `SharedArrayBuffer` (so it picks the single-threaded build) and an `exports`
// object for its client script.
// Usage: node tfjs-tflite-run.mjs MODEL INPUTS OUTPUTS   (raw float32, n samples back to back;
// a uint8 or int8 input takes them as its raw integers, and integer outputs come back as they are).
// A model the runtime refuses exits with status 3 and one line on stderr saying why.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";

const [model, inputsPath, outputsPath] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const wasmDir = join(dirname(require.resolve("@tensorflow/tfjs-tflite/package.json")), "wasm");
const local = (url) => join(wasmDir, String(url).split("/").pop());

globalThis.self = globalThis;
globalThis.location = { href: `file://${wasmDir}/`, origin: "null" };
globalThis.importScripts = (url) => vm.runInThisContext(readFileSync(local(url), "utf8"));
globalThis.fetch = async (url) =>
  new Response(readFileSync(local(url)), { headers: { "content-type": "application/wasm" } });
delete globalThis.SharedArrayBuffer;
globalThis.exports = {};
vm.runInThisContext(readFileSync(join(wasmDir, "tflite_web_api_client.js"), "utf8"));
const tfweb = globalThis.exports.tfweb;
tfweb.tflite_web_api.setWasmPath(`${wasmDir}/`);

// The runtime reports why it refuses a model on the console; keep the first such line.
let reason = "";
for (const name of ["log", "warn", "error"]) {
  const original = console[name];
  console[name] = (...args) => {
    const text = args.join(" ");
    if (!reason && /error|fail|unsupported|didn't find|not supported/i.test(text)) reason = text;
    if (name !== "log") original.call(console, ...args);
  };
}

const bytes = readFileSync(model);
let runner;
try {
  runner = await tfweb.TFLiteWebModelRunner.create(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    { numThreads: 1 },
  );
} catch (error) {
  process.stderr.write(`${(reason || String(error?.message ?? error)).split("\n")[0]}\n`);
  process.exit(3);
}
const input = runner.getInputs()[0];
const output = runner.getOutputs()[0];
const inSize = input.data().length;
const all = new Float32Array(readFileSync(inputsPath).buffer.slice(0));
const n = all.length / inSize;
const outSize = output.data().length;
const results = new Float32Array(n * outSize);
for (let i = 0; i < n; i++) {
  input.data().set(all.subarray(i * inSize, (i + 1) * inSize));
  if (!runner.infer()) {
    process.stderr.write(`${reason || "inference failed"}\n`);
    process.exit(3);
  }
  results.set(output.data(), i * outSize);
}
runner.cleanUp();
writeFileSync(outputsPath, results);
