// The one pipeline every input goes through — the recognize module's preprocess and Classifier
// (the same code the CLI uses, which also checks that an opened .tflite is a usable digit model).
import { Classifier } from "../src/recognize/classifier.ts";
import { describePlan } from "../src/recognize/digit-model.ts";
import { INPUT_RANGES } from "../src/recognize/input-range.ts";
import { checksModel, isNotADigit } from "../src/recognize/not-a-digit.ts";
import type { DigitCheck, DigitModel } from "../src/recognize/types.ts";
import { browserWasmRoot } from "../src/runtime/browser-litert.ts";
import { planPlainModel } from "../src/runtime/plain-model.ts";
import { TfliteFormatError } from "../src/tflite/reader.ts";
import { UserError } from "../src/util/errors.ts";
import type { ShownResult } from "./results.ts";

/** The LiteRT.js wasm files, copied into the build and served from the app's own origin. */
export const WASM_ROOT = new URL("litert/", document.baseURI).href;

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
      throw new ModelRejectedError("it is not a TensorFlow Lite file");
    }
    let classifier: Classifier;
    try {
      const range = inputRange ? INPUT_RANGES[inputRange] : undefined;
      // The shipped float models run on the small TypeScript path (no 9 MB runtime download);
      // anything else loads the official runtime, only now that it is needed.
      const plain = planPlainModel(bytes);
      classifier = plain
        ? Classifier.fromRunning(plain, bytes, { inputRange: range })
        : await Classifier.load(bytes, browserWasmRoot(WASM_ROOT), { inputRange: range });
    } catch (error) {
      throw new ModelRejectedError(plainReason(error));
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
      notADigit: checksModel(this.fileName) && isNotADigit(input, result.probabilities),
    };
  }

  /** The not-a-digit check, for the model it was fitted to (none for other models). */
  get check(): DigitCheck | undefined {
    return checksModel(this.fileName) ? isNotADigit : undefined;
  }

  /** The model itself, for reading a number digit by digit (web/number-reading.ts). */
  get model(): DigitModel {
    return this.classifier;
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
