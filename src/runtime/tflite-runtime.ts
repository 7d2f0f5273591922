import { loadLiteRt } from "@litertjs/core";
import { elementCount } from "../tflite/graph.ts";
import { readTflite } from "../tflite/reader.ts";
import { UserError } from "../util/errors.ts";

/**
 * The official TFLite runtime (Google's LiteRT.js, compiled to WebAssembly, CPU/XNNPACK kernels)
 * behind one small synchronous interface that works in the browser and in Node.
 *
 * We drive LiteRT's Wasm bindings directly rather than its Tensor/CompiledModel classes: their
 * `run` is async and allocates JS tensors per call, while ours writes into one input buffer made
 * once per model and reads the output straight out of Wasm memory, so one inference costs a copy
 * in, the kernels and a copy out.
 */
export interface TfliteModel {
  inputShape: number[];
  outputShape: number[];
  /** Runs one inference. The returned array is reused by the next call: copy it to keep it. */
  run(input: Float32Array): Float32Array;
  dispose(): void;
}

// The parts of LiteRT's Emscripten/embind module that we use (its own typings are not exported).
interface Deletable {
  delete(): void;
}
interface EnumValue {
  value: number;
}
interface WasmVector<T> extends Deletable {
  size(): number;
  get(index: number): T;
}
interface WasmLayout extends Deletable {
  dimensions(): WasmVector<number>;
}
interface WasmTensorType extends Deletable {
  elementType(): EnumValue;
  layout(): WasmLayout;
  bytes(): number;
}
interface WasmModel extends Deletable {
  getInputTensorType(signature: number, index: number): WasmTensorType;
  getOutputTensorType(signature: number, index: number): WasmTensorType;
  getSignature(signature: number): Deletable & {
    inputNames(): WasmVector<string>;
    outputNames(): WasmVector<string>;
  };
}
interface WasmTensorBuffer extends Deletable {
  lock(mode: EnumValue): number;
  unlock(): void;
  size(): number;
}
interface WasmCompiledModel extends Deletable {
  run(
    signature: number,
    inputs: WasmTensorBuffer[],
  ): WasmVector<WasmTensorBuffer> | WasmTensorBuffer[] | Promise<unknown>;
}
type WasmEnvironment = Deletable;

/** What `loadTfliteModel` needs from the LiteRT Wasm module. */
export interface LiteRtWasmModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  LiteRtEnvironment: { create(webGpuDevice: null): WasmEnvironment };
  loadModel(env: WasmEnvironment, ptr: number, size: number): WasmModel;
  compileModel(
    env: WasmEnvironment,
    model: WasmModel,
    options: object,
  ): WasmCompiledModel | Promise<WasmCompiledModel>;
  LiteRtTensorBuffer: {
    createManaged(
      env: WasmEnvironment,
      bufferType: EnumValue,
      tensorType: WasmTensorType,
      size: number,
    ): WasmTensorBuffer;
  };
  LiteRtTensorBufferType: { HOST_MEMORY: EnumValue };
  LiteRtTensorBufferLockMode: { READ: EnumValue; WRITE: EnumValue };
  getThreadCount(): number;
}

/** Loads the LiteRT Wasm module from a directory (URL or path) holding its .js and .wasm files. */
export type LiteRtModuleLoader = (wasmRoot: string) => Promise<LiteRtWasmModule>;

// In a browser LiteRT.js loads its own script; Node installs another loader (src/runtime/node-litert.ts).
let moduleLoader: LiteRtModuleLoader = async (wasmRoot) =>
  (await loadLiteRt(wasmRoot)).liteRtWasm as unknown as LiteRtWasmModule;
let loaded: { root: string; module: Promise<LiteRtWasmModule> } | undefined;

/** Replaces how the Wasm module is loaded (before the first model is loaded). */
export function setLiteRtModuleLoader(loader: LiteRtModuleLoader): void {
  if (loaded) return;
  moduleLoader = loader;
}

/** The LiteRT Wasm module, loaded once per page or process. */
export function liteRtModule(wasmRoot: string): Promise<LiteRtWasmModule> {
  if (!loaded) {
    const module = moduleLoader(wasmRoot);
    loaded = { root: wasmRoot, module };
    module.catch(() => {
      loaded = undefined;
    });
  }
  return loaded.module;
}

const ELEMENT_FLOAT32 = 1;

/**
 * Loads a .tflite model (bytes) into LiteRT with the Wasm CPU accelerator (XNNPACK), on as many
 * threads as the loaded Wasm build reports (one, unless LiteRT picked its threaded build).
 * A file that is not a valid TFLite model throws TfliteFormatError (a UserError, one line).
 */
export async function loadTfliteModel(bytes: Uint8Array, wasmRoot: string): Promise<TfliteModel> {
  // Our own bounds-checked reader goes first: a corrupt file gets a one-line TfliteFormatError
  // instead of reaching the Wasm runtime.
  readTflite(bytes);
  const wasm = await liteRtModule(wasmRoot);
  const env = wasm.LiteRtEnvironment.create(null);
  // The runtime reads the model in place: its bytes live in Wasm memory until dispose.
  const modelPtr = wasm._malloc(bytes.length);
  wasm.HEAPU8.set(bytes, modelPtr);
  const owned: Deletable[] = [];
  const cleanup = () => {
    for (const item of owned.reverse()) item.delete();
    env.delete();
    wasm._free(modelPtr);
  };
  try {
    const model = wasm.loadModel(env, modelPtr, bytes.length);
    owned.push(model);
    const compiled = await wasm.compileModel(env, model, {
      accelerator: "wasm",
      cpuOptions: { numThreads: Math.max(1, wasm.getThreadCount()) },
      gpuOptions: {},
      webNNOptions: {},
    });
    owned.push(compiled);
    const signature = model.getSignature(0);
    const inputCount = signature.inputNames().size();
    const outputCount = signature.outputNames().size();
    signature.delete();
    if (inputCount !== 1 || outputCount !== 1) {
      throw new UserError(
        `expected a model with one input and one output, got ${inputCount} and ${outputCount}`,
      );
    }
    const inputType = model.getInputTensorType(0, 0);
    const outputType = model.getOutputTensorType(0, 0);
    const inputShape = shapeOf(inputType);
    const outputShape = shapeOf(outputType);
    const inputFloat = inputType.elementType().value === ELEMENT_FLOAT32;
    const outputFloat = outputType.elementType().value === ELEMENT_FLOAT32;
    const inputBytes = inputType.bytes();
    const inputBuffer = wasm.LiteRtTensorBuffer.createManaged(
      env,
      wasm.LiteRtTensorBufferType.HOST_MEMORY,
      inputType,
      inputBytes,
    );
    inputType.delete();
    outputType.delete();
    owned.push(inputBuffer);
    if (!inputFloat || !outputFloat) {
      throw new UserError("expected a model with float32 input and output");
    }
    const inputLength = elementCount(inputShape);
    const outputLength = elementCount(outputShape);
    const output = new Float32Array(outputLength);
    const inputs = [inputBuffer];
    const { READ, WRITE } = wasm.LiteRtTensorBufferLockMode;
    let disposed = false;

    return {
      inputShape,
      outputShape,
      run(input: Float32Array): Float32Array {
        if (disposed) throw new Error("the model was disposed");
        if (input.length !== inputLength) {
          throw new Error(`expected ${inputLength} input values, got ${input.length}`);
        }
        const inPtr = inputBuffer.lock(WRITE);
        // HEAPU8 is replaced when Wasm memory grows, so take it fresh on each call.
        new Float32Array(wasm.HEAPU8.buffer, inPtr, inputLength).set(input);
        inputBuffer.unlock();
        let results: ReturnType<WasmCompiledModel["run"]>;
        try {
          results = compiled.run(0, inputs);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new UserError(
            `the TFLite runtime failed to run the model: ${message.split("\n")[0]}`,
          );
        }
        if (results instanceof Promise)
          throw new Error("asynchronous LiteRT build is not supported");
        const list = results as WasmTensorBuffer[];
        const outBuffer = list[0];
        try {
          const outPtr = outBuffer.lock(READ);
          output.set(new Float32Array(wasm.HEAPU8.buffer, outPtr, outputLength));
          outBuffer.unlock();
        } finally {
          for (const buffer of list) buffer.delete();
        }
        return output;
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        cleanup();
      },
    };
  } catch (error) {
    cleanup();
    if (error instanceof UserError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(`the TFLite runtime cannot load this model: ${message.split("\n")[0]}`);
  }
}

function shapeOf(type: WasmTensorType): number[] {
  const layout = type.layout();
  const dims = layout.dimensions();
  const shape: number[] = [];
  for (let i = 0; i < dims.size(); i++) shape.push(dims.get(i));
  dims.delete();
  layout.delete();
  return shape;
}
