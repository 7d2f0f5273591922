import { loadLiteRt } from "@litertjs/core";
import { elementCount } from "../tflite/graph.ts";
import { readTflite, type TfliteTensor } from "../tflite/reader.ts";
import { UserError } from "../util/errors.ts";
import { giveOutputShapes } from "./give-output-shape.ts";
import { pinDynamicShapes } from "./pin-dynamic-shapes.ts";

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
  /** The element types of the input and output tensors ("float32", "uint8" or "int8"). */
  inputType?: IoType;
  outputType?: IoType;
  /**
   * Runs one inference on real values (what the float network between the quantize steps sees);
   * an integer input or output is quantized or dequantized with the tensor's own scale and zero
   * point. The returned array is reused by the next call: copy it to keep it.
   */
  run(input: Float32Array): Float32Array;
  dispose(): void;
}

export type IoType = "float32" | "uint8" | "int8";

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

/**
 * LiteRT reports a model it cannot prepare (an unresolved custom op, a failed allocation) by
 * logging ERROR lines and carrying on, and a later run then answers from unset memory. Both
 * loaders route the runtime's stderr here: while a load or a run is in progress its lines are
 * collected and turned into an error; INFO and WARNING lines are dropped.
 */
let collecting: string[] | null = null;

export function liteRtLog(line: string): void {
  if (/^(INFO|WARNING)\b/.test(line)) return;
  if (collecting) collecting.push(line);
  else console.error(line);
}

/** Runs `work` and throws a UserError if the runtime logged an error meanwhile. */
function watched<T>(what: string, work: () => T): T {
  const previous = collecting;
  const lines: string[] = [];
  collecting = lines;
  try {
    const result = work();
    if (lines.length > 0) throw new UserError(`${what}: ${runtimeReason(lines)}`);
    return result;
  } finally {
    collecting = previous;
  }
}

async function watchedAsync<T>(what: string, work: () => Promise<T>): Promise<T> {
  const previous = collecting;
  const lines: string[] = [];
  collecting = lines;
  try {
    const result = await work();
    if (lines.length > 0) throw new UserError(`${what}: ${runtimeReason(lines)}`);
    return result;
  } finally {
    collecting = previous;
  }
}

/** The most telling of the runtime's error lines, without its "ERROR: [file.cc:12]" prefixes. */
function runtimeReason(lines: string[]): string {
  const clean = lines
    .map((line) => line.replace(/^(ERROR:\s*)?(\[[^\]]*\]\s*)?/, "").replace(/^└\s*/, ""))
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !/^See instructions/.test(line));
  return clean[0] ?? "the runtime reported an error";
}

const ELEMENT_TYPES: Record<number, IoType> = { 1: "float32", 3: "uint8", 9: "int8" };
const BYTES_PER_ELEMENT: Record<IoType, number> = { float32: 4, uint8: 1, int8: 1 };

/**
 * Loads a .tflite model (bytes) into LiteRT with the Wasm CPU accelerator (XNNPACK), on as many
 * threads as the loaded Wasm build reports (one, unless LiteRT picked its threaded build).
 * A file that is not a valid TFLite model throws TfliteFormatError (a UserError, one line); one
 * the runtime cannot prepare (it logs an error) throws a UserError saying what it reported.
 *
 * What LiteRT.js cannot take as written is fed through a rewritten copy: a dynamic batch
 * (shape_signature -1) pinned to the shape's own 1, an output written without a shape given the
 * one its producing op computes. Integer (uint8/int8) inputs and outputs are read and written as
 * raw bytes through the Wasm bindings, quantized with the tensor's own parameters.
 */
export async function loadTfliteModel(bytes: Uint8Array, wasmRoot: string): Promise<TfliteModel> {
  // Our own bounds-checked reader checks the copy the runtime will get before it gets it: a
  // corrupt file is a one-line TfliteFormatError instead of reaching the Wasm runtime.
  const runnable = pinDynamicShapes(giveOutputShapes(bytes));
  const graph = readTflite(runnable).subgraphs[0];
  const wasm = await liteRtModule(wasmRoot);
  const env = wasm.LiteRtEnvironment.create(null);
  // The runtime reads the model in place: its bytes live in Wasm memory until dispose.
  const modelPtr = wasm._malloc(runnable.length);
  wasm.HEAPU8.set(runnable, modelPtr);
  const owned: Deletable[] = [];
  const cleanup = () => {
    for (const item of owned.reverse()) item.delete();
    env.delete();
    wasm._free(modelPtr);
  };
  try {
    const model = watched(CANNOT_LOAD, () => wasm.loadModel(env, modelPtr, runnable.length));
    owned.push(model);
    const compiled = await watchedAsync(CANNOT_PREPARE, async () =>
      wasm.compileModel(env, model, {
        accelerator: "wasm",
        cpuOptions: { numThreads: Math.max(1, wasm.getThreadCount()) },
        gpuOptions: {},
        webNNOptions: {},
      }),
    );
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
    const inputTensorType = model.getInputTensorType(0, 0);
    const outputTensorType = model.getOutputTensorType(0, 0);
    const inputShape = shapeOf(inputTensorType);
    const outputShape = shapeOf(outputTensorType);
    const inputType = ELEMENT_TYPES[inputTensorType.elementType().value];
    const outputType = ELEMENT_TYPES[outputTensorType.elementType().value];
    const inputBytes = inputTensorType.bytes();
    const inputBuffer = wasm.LiteRtTensorBuffer.createManaged(
      env,
      wasm.LiteRtTensorBufferType.HOST_MEMORY,
      inputTensorType,
      inputBytes,
    );
    inputTensorType.delete();
    outputTensorType.delete();
    owned.push(inputBuffer);
    if (!inputType || !outputType) {
      throw new UserError("expected float32, uint8 or int8 input and output tensors");
    }
    const inputLength = elementCount(inputShape);
    const outputLength = elementCount(outputShape);
    const quantizedIn = ioQuantization(graph.tensors[graph.inputs[0]], inputType);
    const quantizedOut = ioQuantization(graph.tensors[graph.outputs[0]], outputType);
    const raw = new Uint8Array(inputBytes);
    const output = new Float32Array(outputLength);
    const inputs = [inputBuffer];
    const { READ, WRITE } = wasm.LiteRtTensorBufferLockMode;
    let disposed = false;

    const writeInput = (input: Float32Array) => {
      const inPtr = inputBuffer.lock(WRITE);
      // HEAPU8 is replaced when Wasm memory grows, so take it fresh on each call.
      if (inputType === "float32") {
        new Float32Array(wasm.HEAPU8.buffer, inPtr, inputLength).set(input);
      } else {
        quantize(input, quantizedIn, inputType, raw);
        wasm.HEAPU8.set(raw, inPtr);
      }
      inputBuffer.unlock();
    };
    const readOutput = (buffer: WasmTensorBuffer) => {
      const outPtr = buffer.lock(READ);
      const have = Math.floor(buffer.size() / BYTES_PER_ELEMENT[outputType]);
      if (have < outputLength) {
        buffer.unlock();
        throw new UserError(`the model gave ${have} output values, expected ${outputLength}`);
      }
      if (outputType === "float32") {
        output.set(new Float32Array(wasm.HEAPU8.buffer, outPtr, outputLength));
      } else {
        dequantize(
          wasm.HEAPU8.subarray(outPtr, outPtr + outputLength),
          quantizedOut,
          outputType,
          output,
        );
      }
      buffer.unlock();
    };
    const runOnce = (input: Float32Array): Float32Array => {
      if (disposed) throw new Error("the model was disposed");
      if (input.length !== inputLength) {
        throw new Error(`expected ${inputLength} input values, got ${input.length}`);
      }
      writeInput(input);
      let results: ReturnType<WasmCompiledModel["run"]>;
      try {
        results = watched(CANNOT_RUN, () => compiled.run(0, inputs));
      } catch (error) {
        if (error instanceof UserError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new UserError(`${CANNOT_RUN}: ${runtimeReason(message.split("\n"))}`);
      }
      if (results instanceof Promise) throw new Error("asynchronous LiteRT build is not supported");
      const list = results as WasmTensorBuffer[];
      try {
        readOutput(list[0]);
      } finally {
        for (const buffer of list) buffer.delete();
      }
      return output;
    };
    // A first run on zeros: a model the runtime prepared but cannot run fails here, at load.
    runOnce(new Float32Array(inputLength));

    return {
      inputShape,
      outputShape,
      inputType,
      outputType,
      run: runOnce,
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
    throw new UserError(`${CANNOT_LOAD}: ${runtimeReason(message.split("\n"))}`);
  }
}

const CANNOT_LOAD = "the TFLite runtime cannot load this model";
const CANNOT_PREPARE = "the TFLite runtime cannot prepare this model";
const CANNOT_RUN = "the TFLite runtime failed to run the model";

interface IoQuantization {
  scale: number;
  zeroPoint: number;
}

/** The one scale and zero point of an integer input or output (float ones need none). */
function ioQuantization(tensor: TfliteTensor | undefined, type: IoType): IoQuantization {
  if (type === "float32") return { scale: 1, zeroPoint: 0 };
  const q = tensor?.quantization;
  if (q?.scale.length !== 1) {
    throw new UserError(
      `its ${type} tensor ${JSON.stringify(tensor?.name ?? "")} has no single scale and zero point to read it by`,
    );
  }
  return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0 };
}

const INTEGER_RANGE: Record<Exclude<IoType, "float32">, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
};

/** q = round(x / scale) + zeroPoint, clamped to the type (as TFLite's QUANTIZE does). */
function quantize(values: Float32Array, q: IoQuantization, type: IoType, out: Uint8Array): void {
  const [lo, hi] = INTEGER_RANGE[type as "uint8"];
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(hi, Math.max(lo, Math.round(values[i] / q.scale) + q.zeroPoint));
    out[i] = v & 0xff;
  }
}

function dequantize(raw: Uint8Array, q: IoQuantization, type: IoType, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const v = type === "int8" ? (raw[i] << 24) >> 24 : raw[i];
    out[i] = q.scale * (v - q.zeroPoint);
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
