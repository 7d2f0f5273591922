// The one pipeline every input goes through — the recognize module's preprocess and Classifier
// (the same code the CLI uses) — plus the check that an opened .tflite is a usable digit model.
import { LiteRt, supportsFeature } from "@litertjs/core";
import { createWasmLib } from "@litertjs/wasm-utils";
import { Classifier } from "../src/recognize/classifier.ts";
import { isNotADigit, NOT_A_DIGIT_MODEL } from "../src/recognize/not-a-digit.ts";
import { preprocess } from "../src/recognize/preprocess.ts";
import { planPlainModel } from "../src/runtime/plain-model.ts";
import {
  type LiteRtWasmModule,
  liteRtModule,
  setLiteRtModuleLoader,
} from "../src/runtime/tflite-runtime.ts";
import { TfliteFormatError } from "../src/tflite/reader.ts";
import { UserError } from "../src/util/errors.ts";
import type { ShownResult } from "./results.ts";

/** The LiteRT.js wasm files, copied into the build and served from the app's own origin. */
export const WASM_ROOT = new URL("litert/", document.baseURI).href;

/** The runtime build LiteRT.js would pick: relaxed SIMD where the browser has it (memoized check). */
async function runtimeBuild(): Promise<string> {
  return (await supportsFeature("relaxedSimd"))
    ? "litert_wasm_internal"
    : "litert_wasm_compat_internal";
}

// LiteRT.js's own loadLiteRt also opens a WebGPU device for a default environment that our runtime
// wrapper never uses (it runs on the CPU with its own environment). On a phone that wakes the GPU
// and costs start-up time, so the app loads the Wasm module alone, the same way loadLiteRt does.
setLiteRtModuleLoader(async (root) => {
  // Emscripten module options: LiteRT logs INFO/WARNING lines as errors on every load; keep real errors.
  const options = {
    printErr: (line: string) => /^(INFO|WARNING)\b/.test(line) || console.error(line),
  };
  const script = `${root}${await runtimeBuild()}.js`;
  const lib = await createWasmLib(LiteRt, script, undefined, undefined, options as never);
  return lib.liteRtWasm as unknown as LiteRtWasmModule;
});

/**
 * Starts loading the runtime (a script and ~9 MB of wasm) at once, in parallel with a model's
 * download, for a model the TypeScript path cannot run. Failures surface at model load.
 */
export function warmUpRuntime(): void {
  liteRtModule(WASM_ROOT)
    .then(() => performance.mark("runtime-ready"))
    .catch(() => {});
  // The runtime's script only asks for its wasm once it has run (~0.1–0.3 s); preload the wasm of
  // the build LiteRT.js will pick (the same feature check, memoized) so both download together.
  runtimeBuild()
    .then((build) => {
      const link = document.createElement("link");
      link.rel = "preload";
      link.as = "fetch";
      link.crossOrigin = "anonymous"; // matches the runtime's fetch (same-origin credentials)
      link.href = `${WASM_ROOT}${build}.wasm`;
      document.head.append(link);
    })
    .catch(() => {});
}

export class ModelRejectedError extends Error {
  constructor(reason: string) {
    super(`not a usable digit model: ${reason}`);
    this.name = "ModelRejectedError";
  }
}

export class Recognizer {
  private constructor(
    private readonly classifier: Classifier,
    readonly bytes: Uint8Array,
    readonly fileName: string,
  ) {}

  /** Loads a model and runs it once on a blank image: it must give ten finite probabilities. */
  static async load(bytes: Uint8Array, fileName: string): Promise<Recognizer> {
    // A .tflite is a flatbuffer whose file identifier, at bytes 4–7, is "TFL3".
    const identifier = String.fromCharCode(...bytes.subarray(4, 8));
    if (bytes.length < 16 || identifier !== "TFL3") {
      throw new ModelRejectedError("it is not a TensorFlow Lite file");
    }
    let classifier: Classifier;
    try {
      // The shipped float models run on the small TypeScript path (no 9 MB runtime download);
      // anything else loads the official runtime, only now that it is needed.
      const plain = planPlainModel(bytes);
      classifier = plain ? new Classifier(plain) : await Classifier.load(bytes, WASM_ROOT);
    } catch (error) {
      throw new ModelRejectedError(plainReason(error));
    }
    let probabilities: number[];
    try {
      probabilities = classifier.classifyInput(new Float32Array(784)).probabilities;
    } catch (error) {
      classifier.dispose();
      throw new ModelRejectedError(firstLine(error));
    }
    if (probabilities.length !== 10 || !probabilities.every(Number.isFinite)) {
      classifier.dispose();
      throw new ModelRejectedError(`expected ten probabilities, got ${probabilities.length}`);
    }
    return new Recognizer(classifier, bytes, fileName);
  }

  /** Preprocesses and classifies RGBA pixels; null when the image holds no ink. */
  recognize(image: ImageData): ShownResult | null {
    const started = performance.now();
    const input = preprocess(image.data, image.width, image.height);
    if (!input) return null;
    const result = this.classifier.classifyInput(input);
    return {
      digit: result.digit,
      probability: result.probability,
      probabilities: result.probabilities,
      timeMs: performance.now() - started,
      input,
      // The check is fitted to one model's probabilities; other models answer without it.
      notADigit:
        this.fileName === NOT_A_DIGIT_MODEL.fittedTo && isNotADigit(input, result.probabilities),
    };
  }

  dispose(): void {
    this.classifier.dispose();
  }
}

/**
 * Why a model was refused, in plain words: our own checks' reasons (its input or output shape)
 * are shown as they are; a damaged file's byte offsets and the runtime's internals are not
 * (they go to the console for whoever debugs it).
 */
function plainReason(error: unknown): string {
  if (error instanceof TfliteFormatError) {
    console.warn(error.message);
    return "the file is damaged or is not a TensorFlow Lite model";
  }
  if (error instanceof UserError) return firstLine(error);
  console.warn(error);
  return "the TensorFlow Lite runtime could not run it";
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] || "the runtime rejected it";
}
