// The official runtime fed directly, as a judge of DigitKit's own feeding: the model's bytes go
// to LiteRT.js's Wasm bindings, each MNIST digit is written into the input tensor in its own
// type (float32 byte/255; an integer input quantized with the tensor's scale and zero point),
// and the answer is the index of the largest raw output. Nothing of src/recognize is used. A
// dynamic batch is the one rewrite: LiteRT.js cannot load such a file at all, so it gets the
// copy with the batch pinned to 1 (pinDynamicShapes), which is what any caller has to do.
import type { Dataset } from "../../src/data/mnist.ts";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { pinDynamicShapes } from "../../src/runtime/pin-dynamic-shapes.ts";
import { liteRtModule } from "../../src/runtime/tflite-runtime.ts";
import { readTflite } from "../../src/tflite/reader.ts";

interface Buffer {
  lock(mode: unknown): number;
  unlock(): void;
  size(): number;
  delete(): void;
}

export async function directAccuracy(
  original: Uint8Array,
  dataset: Dataset,
  limit: number,
): Promise<number> {
  const bytes = pinDynamicShapes(original);
  const graph = readTflite(bytes).subgraphs[0];
  const input = graph.tensors[graph.inputs[0]];
  const output = graph.tensors[graph.outputs[0]];
  // biome-ignore lint/suspicious/noExplicitAny: the Wasm bindings are untyped
  const wasm: any = await liteRtModule(nodeWasmRoot());
  const env = wasm.LiteRtEnvironment.create(null);
  const ptr = wasm._malloc(bytes.length);
  wasm.HEAPU8.set(bytes, ptr);
  const model = wasm.loadModel(env, ptr, bytes.length);
  const compiled = await wasm.compileModel(env, model, {
    accelerator: "wasm",
    cpuOptions: { numThreads: 1 },
    gpuOptions: {},
    webNNOptions: {},
  });
  const type = model.getInputTensorType(0, 0);
  const inBuffer: Buffer = wasm.LiteRtTensorBuffer.createManaged(
    env,
    wasm.LiteRtTensorBufferType.HOST_MEMORY,
    type,
    type.bytes(),
  );
  const { READ, WRITE } = wasm.LiteRtTensorBufferLockMode;
  const pixels = dataset.rows * dataset.cols;
  const n = Math.min(limit, dataset.count);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const image = dataset.images.subarray(i * pixels, (i + 1) * pixels);
    const at = inBuffer.lock(WRITE);
    if (input.typeName === "FLOAT32") {
      const view = new Float32Array(wasm.HEAPU8.buffer, at, pixels);
      for (let p = 0; p < pixels; p++) view[p] = image[p] / 255;
    } else {
      const { scale, zeroPoint } = input.quantization as { scale: number[]; zeroPoint: number[] };
      const [lo, hi] = input.typeName === "UINT8" ? [0, 255] : [-128, 127];
      for (let p = 0; p < pixels; p++) {
        const q = Math.round(image[p] / 255 / scale[0]) + zeroPoint[0];
        wasm.HEAPU8[at + p] = Math.min(hi, Math.max(lo, q)) & 0xff;
      }
    }
    inBuffer.unlock();
    const [outBuffer] = compiled.run(0, [inBuffer]) as Buffer[];
    const out = outBuffer.lock(READ);
    const values =
      output.typeName === "FLOAT32"
        ? new Float32Array(wasm.HEAPU8.buffer, out, 10)
        : output.typeName === "INT8"
          ? new Int8Array(wasm.HEAPU8.buffer, out, 10)
          : new Uint8Array(wasm.HEAPU8.buffer, out, 10);
    let best = 0;
    for (let k = 1; k < 10; k++) if (values[k] > values[best]) best = k;
    outBuffer.unlock();
    outBuffer.delete();
    if (best === dataset.labels[i]) correct++;
  }
  inBuffer.delete();
  type.delete();
  compiled.delete();
  model.delete();
  env.delete();
  wasm._free(ptr);
  return correct / n;
}
