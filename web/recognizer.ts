// The one pipeline every input goes through — the recognize module's preprocess and Classifier
// (the same code the CLI uses) — plus the check that an opened .tflite is a usable digit model.
import { Classifier } from "../src/recognize/classifier.ts";
import { isNotADigit, NOT_A_DIGIT_MODEL } from "../src/recognize/not-a-digit.ts";
import { browserWasmRoot, warmUpBrowserLiteRt } from "../src/runtime/browser-litert.ts";
import type { ShownResult } from "./results.ts";

/** The LiteRT.js wasm files, copied into the build and served from the app's own origin. */
export const WASM_ROOT = new URL("litert/", document.baseURI).href;

/** Starts loading the runtime at once, in parallel with the model's download. */
export function warmUpRuntime(): void {
  warmUpBrowserLiteRt(WASM_ROOT);
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
      classifier = await Classifier.load(bytes, browserWasmRoot(WASM_ROOT));
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
    const seen = this.classifier.classifyImage(image.data, image.width, image.height);
    if (!seen) return null;
    const { result, input } = seen;
    return {
      ...result,
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

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] || "the runtime rejected it";
}
