import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { nodeWasmRoot } from "../../src/runtime/node-litert.ts";
import { liteRtModule } from "../../src/runtime/tflite-runtime.ts";

/** Other people's model files, read in place from ../shared (never copied into the repository). */
export const WILD = join("..", "shared", "models-in-the-wild");

export function wildFile(name: string): Uint8Array {
  const path = join(WILD, name);
  if (!existsSync(path)) throw new Error(`missing shared model file: ${path}`);
  return new Uint8Array(readFileSync(path));
}

// The parts of LiteRT's Wasm bindings this judge uses (see src/runtime/tflite-runtime.ts).
interface Buffer {
  lock(mode: unknown): number;
  unlock(): void;
  delete(): void;
}

/**
 * Runs a .tflite whose input and output are uint8 (TensorFlow's own int8 conversion with uint8
 * I/O) in LiteRT: our runtime wrapper takes float32 only, but LiteRT's Wasm bindings accept uint8
 * buffers, so this judge feeds the pixel bytes as they are and returns the output bytes.
 */
export async function runUint8Model(
  bytes: Uint8Array,
  images: Uint8Array,
  count: number,
): Promise<Uint8Array[]> {
  // biome-ignore lint/suspicious/noExplicitAny: LiteRT's embind module has no exported types
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
  const inputType = model.getInputTensorType(0, 0);
  const outputType = model.getOutputTensorType(0, 0);
  const inBytes: number = inputType.bytes();
  const outBytes: number = outputType.bytes();
  const input: Buffer = wasm.LiteRtTensorBuffer.createManaged(
    env,
    wasm.LiteRtTensorBufferType.HOST_MEMORY,
    inputType,
    inBytes,
  );
  const { READ, WRITE } = wasm.LiteRtTensorBufferLockMode;
  const outputs: Uint8Array[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const p = input.lock(WRITE);
      wasm.HEAPU8.set(images.subarray(i * inBytes, (i + 1) * inBytes), p);
      input.unlock();
      const results = compiled.run(0, [input]) as Buffer[];
      const q = results[0].lock(READ);
      outputs.push(wasm.HEAPU8.slice(q, q + outBytes));
      results[0].unlock();
      for (const r of results) r.delete();
    }
  } finally {
    input.delete();
    inputType.delete();
    outputType.delete();
    compiled.delete();
    model.delete();
    env.delete();
    wasm._free(ptr);
  }
  return outputs;
}

export function argmaxOf(values: ArrayLike<number>, offset = 0, n = 10): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}
