// The one pipeline every input goes through — the recognize module's preprocess and Classifier
// (the same code the CLI uses) — plus the check that an opened .tflite is a usable digit model.
import { LiteRt, supportsFeature } from "@litertjs/core";
import { createWasmLib } from "@litertjs/wasm-utils";
import { Classifier } from "../src/recognize/classifier.ts";
import { isNotADigit, NOT_A_DIGIT_MODEL } from "../src/recognize/not-a-digit.ts";
import { preprocess } from "../src/recognize/preprocess.ts";
import type { DigitModel } from "../src/recognize/types.ts";
import {
  type LiteRtWasmModule,
  liteRtModule,
  setLiteRtModuleLoader,
} from "../src/runtime/tflite-runtime.ts";
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
 * Starts loading the runtime (a script and ~9 MB of wasm) at once, in parallel with the model's
 * download, instead of after it: the app answers sooner. Failures surface at model load.
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
      throw new ModelRejectedError("not a TensorFlow Lite file (no TFL3 identifier)");
    }
    let classifier: Classifier;
    try {
      classifier = await Classifier.load(bytes, WASM_ROOT);
    } catch (error) {
      throw new ModelRejectedError(firstLine(error));
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

  /** The model itself, for reading a number digit by digit (web/number-reading.ts). */
  get model(): DigitModel {
    return this.classifier;
  }

  dispose(): void {
    this.classifier.dispose();
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] || "the runtime rejected it";
}
