import { loadTfliteModel, type TfliteModel } from "../runtime/tflite-runtime.ts";
import { elementCount } from "../tflite/graph.ts";
import { UserError } from "../util/errors.ts";
import { INPUT_SIZE, preprocess } from "./preprocess.ts";
import { EmptyImageError, type Result, toProbabilities, toResult } from "./result.ts";

const INPUTS = INPUT_SIZE * INPUT_SIZE;

/** The input layouts our models take: flat pixels (the MLP) or an image with one channel (CNN). */
const LAYOUTS = [
  [1, INPUTS],
  [1, INPUT_SIZE, INPUT_SIZE, 1],
];

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function describe(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/**
 * A digit classifier: one .tflite model in the official TFLite runtime, fed by the shared
 * preprocessing. Both layouts hold the same 784 row-major floats, so the model's input shape
 * is checked once here and the same buffer serves either.
 */
export class Classifier {
  readonly inputShape: number[];

  /** Wraps a loaded model (tests and benchmarks pass their own). */
  constructor(private readonly model: TfliteModel) {
    this.inputShape = [...model.inputShape];
    if (!LAYOUTS.some((layout) => sameShape(layout, model.inputShape))) {
      throw new UserError(
        `model input shape ${describe(model.inputShape)} is neither [1,784] nor [1,28,28,1]`,
      );
    }
    const outputs = elementCount(model.outputShape);
    if (outputs !== 10) {
      throw new UserError(`model output shape ${describe(model.outputShape)} is not ten scores`);
    }
  }

  /**
   * Loads a .tflite model, given as its bytes or a URL to fetch, into the runtime whose wasm files
   * are at `wasmRoot`.
   */
  static async load(model: Uint8Array | string, wasmRoot: string): Promise<Classifier> {
    const bytes = typeof model === "string" ? await fetchBytes(model) : model;
    return new Classifier(await loadTfliteModel(bytes, wasmRoot));
  }

  /** Classifies an RGBA (or grey) image; throws EmptyImageError when it has no ink. */
  classify(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number): Result {
    const seen = this.classifyImage(pixels, width, height);
    if (!seen) throw new EmptyImageError();
    return seen.result;
  }

  /**
   * Classifies an RGBA (or grey) image and also returns the 784 inputs the model saw (the app
   * shows them); null when the image has no ink. The time covers preprocessing and inference.
   */
  classifyImage(
    pixels: Uint8Array | Uint8ClampedArray,
    width: number,
    height: number,
  ): { result: Result; input: Float32Array } | null {
    const started = performance.now();
    const input = preprocess(pixels, width, height);
    if (!input) return null;
    return { result: this.run(input, started), input };
  }

  /** Classifies 784 already-prepared inputs (28×28 row-major, 0–1, white ink on black). */
  classifyInput(input784: Float32Array): Result {
    if (input784.length !== INPUTS) {
      throw new RangeError(`expected ${INPUTS} inputs, got ${input784.length}`);
    }
    return this.run(input784, performance.now());
  }

  dispose(): void {
    this.model.dispose();
  }

  private run(input: Float32Array, started: number): Result {
    const probabilities = toProbabilities(this.model.run(input));
    return toResult(probabilities, performance.now() - started);
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new UserError(`cannot fetch the model ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new UserError(`cannot fetch the model ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
