import { loadTfliteModel, type TfliteModel } from "../runtime/tflite-runtime.ts";
import { elementCount } from "../tflite/graph.ts";
import { UserError } from "../util/errors.ts";
import {
  type FeedPlan,
  feedDigit,
  ModelRefusedError,
  planFromFile,
  planFromShapes,
} from "./digit-model.ts";
import type { InputRange } from "./input-range.ts";
import { INPUT_SIZE, preprocess } from "./preprocess.ts";
import { checkedProbabilities, EmptyImageError, type Result, toResult } from "./result.ts";

const INPUTS = INPUT_SIZE * INPUT_SIZE;

function describe(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

export interface ClassifierOptions {
  /** The scale of the model's input (black, white); otherwise from the model, else 0–1. */
  inputRange?: InputRange;
}

/**
 * A digit classifier: one .tflite model in the official TFLite runtime, fed by the shared
 * preprocessing. How the 784 preprocessed values reach the model (layout, size, scale, type) is
 * decided once, from the file, by its FeedPlan; every answer is checked to be ten probabilities.
 */
export class Classifier {
  readonly inputShape: number[];
  readonly plan: FeedPlan;
  private readonly modelInput: Float32Array;

  /** Wraps a loaded model (tests and benchmarks pass their own); the plan defaults from its shapes. */
  constructor(
    private readonly model: TfliteModel,
    plan?: FeedPlan,
  ) {
    this.inputShape = [...model.inputShape];
    const outputs = elementCount(model.outputShape);
    if (outputs !== 10) {
      throw new UserError(`model output shape ${describe(model.outputShape)} is not ten scores`);
    }
    this.plan = plan ?? planFromShapes(model.inputShape, model.outputShape, model.inputType);
    if (elementCount(this.plan.inputShape) !== elementCount(model.inputShape)) {
      throw new UserError(
        `the runtime sees input ${describe(model.inputShape)}, the file says ${describe(this.plan.inputShape)}`,
      );
    }
    this.modelInput = new Float32Array(elementCount(model.inputShape));
  }

  /**
   * Loads a .tflite model, given as its bytes or a URL to fetch, into the runtime whose wasm files
   * are at `wasmRoot`. A model DigitKit cannot feed, or whose answers on probe digits are not ten
   * probabilities that depend on the digit, is refused with a one-line UserError.
   */
  static async load(
    model: Uint8Array | string,
    wasmRoot: string,
    options: ClassifierOptions = {},
  ): Promise<Classifier> {
    const bytes = typeof model === "string" ? await fetchBytes(model) : model;
    const plan = planFromFile(bytes, options);
    return Classifier.checked(await loadTfliteModel(bytes, wasmRoot), plan);
  }

  /**
   * Wraps a model already running (e.g. the app's TypeScript path for the shipped float models)
   * with the plan its file implies, and holds it to the same probe as a loaded one.
   */
  static fromRunning(
    model: TfliteModel,
    bytes: Uint8Array,
    options: ClassifierOptions = {},
  ): Classifier {
    return Classifier.checked(model, planFromFile(bytes, options));
  }

  private static checked(model: TfliteModel, plan: FeedPlan): Classifier {
    const classifier = new Classifier(model, plan);
    try {
      classifier.probe();
    } catch (error) {
      classifier.dispose();
      throw error;
    }
    return classifier;
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
    feedDigit(this.plan, input, this.modelInput);
    const probabilities = checkedProbabilities(this.model.run(this.modelInput), this.plan.outputs);
    return toResult(probabilities, performance.now() - started);
  }

  /**
   * Runs a blank pad and a drawn ring: each answer must be ten probabilities (checked in run),
   * and the two must differ: a model that says the same whatever it sees is broken.
   */
  private probe(): void {
    const blank = this.classifyInput(new Float32Array(INPUTS)).probabilities;
    const ring = this.classifyInput(probeDigit()).probabilities;
    if (blank.every((p, d) => p === ring[d])) {
      throw new ModelRefusedError(
        "the model gives the same answer whatever the digit (it looks broken)",
      );
    }
  }
}

/** A 0 drawn as a ring in the middle of the 28×28 field. */
function probeDigit(): Float32Array {
  const input = new Float32Array(INPUTS);
  for (let y = 0; y < INPUT_SIZE; y++) {
    for (let x = 0; x < INPUT_SIZE; x++) {
      const r = Math.hypot((x - 13.5) / 6, (y - 13.5) / 8);
      input[y * INPUT_SIZE + x] = Math.max(0, 1 - Math.abs(r - 1) * 4);
    }
  }
  return input;
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
