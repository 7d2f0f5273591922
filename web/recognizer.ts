// The one pipeline every input goes through — the recognize module's preprocess and Classifier
// (the same code the CLI uses, which also checks that an opened .tflite is a usable digit model).
import { Classifier } from "../src/recognize/classifier.ts";
import { describePlan } from "../src/recognize/digit-model.ts";
import { INPUT_RANGES } from "../src/recognize/input-range.ts";
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

  /**
   * Loads a model; Classifier.load refuses one DigitKit cannot feed and runs probe digits through
   * it (each answer must be ten probabilities, and they must depend on the digit).
   * `inputRange` (a name of INPUT_RANGES) overrides the scale the model's file implies.
   */
  static async load(bytes: Uint8Array, fileName: string, inputRange = ""): Promise<Recognizer> {
    // A .tflite is a flatbuffer whose file identifier, at bytes 4–7, is "TFL3".
    const identifier = String.fromCharCode(...bytes.subarray(4, 8));
    if (bytes.length < 16 || identifier !== "TFL3") {
      throw new ModelRejectedError("not a TensorFlow Lite file (no TFL3 identifier)");
    }
    let classifier: Classifier;
    try {
      const range = inputRange ? INPUT_RANGES[inputRange] : undefined;
      classifier = await Classifier.load(bytes, browserWasmRoot(WASM_ROOT), { inputRange: range });
    } catch (error) {
      throw new ModelRejectedError(firstLine(error));
    }
    return new Recognizer(classifier, bytes, fileName);
  }

  /** How the model is fed (input layout, scale, outputs), for the status line. */
  get feeding(): string {
    return describePlan(this.classifier.plan);
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
