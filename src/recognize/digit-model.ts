import { giveOutputShapes } from "../runtime/give-output-shape.ts";
import { pinDynamicShapes } from "../runtime/pin-dynamic-shapes.ts";
import type { IoType } from "../runtime/tflite-runtime.ts";
import { elementCount } from "../tflite/graph.ts";
import { readInputNormalization } from "../tflite/metadata-normalization.ts";
import { readTflite, type TfliteFile, type TfliteTensor } from "../tflite/reader.ts";
import { UserError } from "../util/errors.ts";
import { formatRange, type InputRange } from "./input-range.ts";
import { INPUT_SIZE } from "./preprocess.ts";

/**
 * How DigitKit feeds a TFLite model a digit, decided from the file alone: any model with one
 * image input — 784 flat pixels, [1,28,28], [1,H,W,1] (or 3 channels, the grey copied into each)
 * of any size, batch fixed or dynamic — in float32, uint8 or int8, and one output of ten classes,
 * as probabilities or logits. What it cannot feed it refuses with the reason (ModelRefusedError).
 */
export interface FeedPlan {
  /** The input shape the runtime sees (a dynamic batch pinned to 1). */
  inputShape: number[];
  /** "flat": the 784 (or side²) pixels in a row; "image": height × width × channels. */
  layout: "flat" | "image";
  height: number;
  width: number;
  channels: number;
  inputType: IoType;
  /** The value for black and for white, per channel (one entry when all channels share it). */
  ranges: InputRange[];
  rangeSource: "option" | "metadata" | "quantization" | "default";
  /** An integer input's scale and zero point (what the runtime quantizes the ranges with). */
  inputQuantization?: { scale: number; zeroPoint: number };
  /** Whether the graph ends in a softmax (probabilities), or outputs logits; unknown for a bare model. */
  outputs: "probabilities" | "logits" | "unknown";
  /** What LiteRT.js gets rewritten in its copy of the file (a dynamic batch, a missing output shape). */
  rewritten: string[];
}

/** A model DigitKit will not run, with the reason in plain words. */
export class ModelRefusedError extends UserError {
  constructor(reason: string) {
    super(reason);
    this.name = "ModelRefusedError";
  }
}

const SUPPORTED_TYPES: Record<string, IoType> = {
  FLOAT32: "float32",
  UINT8: "uint8",
  INT8: "int8",
};
const INTEGER_RANGE: Record<string, [number, number]> = { uint8: [0, 255], int8: [-128, 127] };
/** Ops that pass a softmax's values through unchanged in meaning (between it and the output). */
const PASS_THROUGH = new Set(["QUANTIZE", "DEQUANTIZE", "RESHAPE", "SQUEEZE", "IDENTITY"]);
const MIN_SIDE = 8;

/** The plan for a model's bytes; throws ModelRefusedError, or TfliteFormatError for a bad file. */
export function planFromFile(
  bytes: Uint8Array,
  options: { inputRange?: InputRange } = {},
): FeedPlan {
  const other = otherFormat(bytes);
  if (other) throw new ModelRefusedError(`it is ${other}, not a TensorFlow Lite model`);
  const shaped = giveOutputShapes(bytes);
  const runnable = pinDynamicShapes(shaped);
  const file = readTflite(runnable);
  refuseWhatCannotRun(file);
  const graph = file.subgraphs[0];
  const input = graph.tensors[graph.inputs[0]];
  const output = graph.tensors[graph.outputs[0]];
  const plan = planFromTensors(input, output, options.inputRange, normalizationOf(bytes));
  plan.outputs = endsInSoftmax(file) ? "probabilities" : "logits";
  if (shaped !== bytes) plan.rewritten.push("its output's shape taken from the op that makes it");
  if (runnable !== shaped) plan.rewritten.push("its dynamic batch fed as 1");
  return plan;
}

/** The plan for a loaded model known only by its shapes (float input, 0–1 unless told). */
export function planFromShapes(
  inputShape: number[],
  outputShape: number[],
  inputType: IoType = "float32",
  inputRange?: InputRange,
): FeedPlan {
  const tensor = (shape: number[], type: IoType): TfliteTensor => ({
    index: 0,
    name: "",
    shape,
    type: 0,
    typeName: type.toUpperCase(),
    buffer: 0,
  });
  return planFromTensors(
    tensor(inputShape, inputType),
    tensor(outputShape, "float32"),
    inputRange,
    null,
  );
}

/** The model formats people hand over instead of a .tflite, told by their first bytes. */
function otherFormat(bytes: Uint8Array): string | null {
  const starts = (text: string) =>
    bytes.length >= text.length && [...text].every((c, i) => bytes[i] === c.charCodeAt(0));
  if (starts("\x89HDF\r\n\x1a\n")) return "a Keras HDF5 file (.h5)";
  if (starts("PK\x03\x04")) return "a zip archive (a Keras .keras file?)";
  return null;
}

function refuseWhatCannotRun(file: TfliteFile): void {
  const custom = file.operatorCodes.find((code) => code.customCode !== undefined);
  if (custom) {
    const name = custom.customCode ?? "";
    const where = /edgetpu/i.test(name)
      ? " (the Edge TPU compiler's: the model runs only on an Edge TPU)"
      : "";
    throw new ModelRefusedError(
      `it needs the custom operator "${name}"${where}, which the TFLite runtime here does not have`,
    );
  }
  const graph = file.subgraphs[0];
  if (graph.inputs.length !== 1) {
    throw new ModelRefusedError(
      `it takes ${graph.inputs.length} inputs; a digit classifier takes one image`,
    );
  }
  if (graph.outputs.length !== 1) {
    throw new ModelRefusedError(
      `it gives ${graph.outputs.length} outputs; a digit classifier gives one list of ten scores`,
    );
  }
}

/** The plan for a model's input and output tensors (exported for the tests of each rule). */
export function planFromTensors(
  input: TfliteTensor,
  output: TfliteTensor,
  option: InputRange | undefined,
  normalization: { mean: number[]; std: number[] } | null,
): FeedPlan {
  const shape = input.shape;
  const layout = imageLayout(shape);
  if (!layout) {
    throw new ModelRefusedError(
      `not an image model: its input is [${shape.join(",")}], not 784 pixels ([1,784], [1,28,28], [1,28,28,1]) or an image [1,H,W,1]`,
    );
  }
  const classes = elementCount(output.shape);
  if (classes !== 10 || output.shape.length === 0) {
    throw new ModelRefusedError(
      `not a digit classifier: its output [${output.shape.join(",")}] is not ten scores (it gives ${classes})`,
    );
  }
  const inputType = SUPPORTED_TYPES[input.typeName];
  const outputType = SUPPORTED_TYPES[output.typeName];
  if (!inputType || !outputType) {
    throw new ModelRefusedError(
      `its ${inputType ? "output" : "input"} is ${(inputType ? output : input).typeName.toLowerCase()}; DigitKit feeds float32, uint8 or int8`,
    );
  }
  const { ranges, source } = inputRanges(input, inputType, layout.channels, option, normalization);
  const q = input.quantization;
  return {
    inputShape: [...shape],
    ...layout,
    inputType,
    ranges,
    rangeSource: source,
    ...(inputType !== "float32" && q
      ? { inputQuantization: { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0 } }
      : {}),
    outputs: "unknown",
    rewritten: [],
  };
}

/** The layout of an image input, or null when the shape is not one. */
function imageLayout(
  shape: number[],
): Pick<FeedPlan, "layout" | "height" | "width" | "channels"> | null {
  if (shape[0] !== 1) return null;
  if (shape.length === 2) {
    const side = Math.round(Math.sqrt(shape[1]));
    return side >= MIN_SIDE && side * side === shape[1]
      ? { layout: "flat", height: side, width: side, channels: 1 }
      : null;
  }
  const [height, width, channels] = [shape[1], shape[2], shape.length === 4 ? shape[3] : 1];
  if (shape.length !== 3 && shape.length !== 4) return null;
  if (height < MIN_SIDE || width < MIN_SIDE || (channels !== 1 && channels !== 3)) return null;
  return { layout: "image", height, width, channels };
}

/** Where the input's scale comes from: the option, the metadata, the quantization, else 0–1. */
function inputRanges(
  input: TfliteTensor,
  type: IoType,
  channels: number,
  option: InputRange | undefined,
  normalization: { mean: number[]; std: number[] } | null,
): { ranges: InputRange[]; source: FeedPlan["rangeSource"] } {
  const q = input.quantization;
  if (type !== "float32" && q?.scale.length !== 1) {
    throw new ModelRefusedError(
      `its ${type} input has no single scale and zero point to feed it by`,
    );
  }
  if (option) return { ranges: [option], source: "option" };
  if (normalization && normalization.mean.length > 0 && normalization.std.length > 0) {
    const ranges: InputRange[] = [];
    for (let c = 0; c < channels; c++) {
      const mean = normalization.mean[c % normalization.mean.length];
      const std = normalization.std[c % normalization.std.length];
      if (!Number.isFinite(mean) || !Number.isFinite(std) || std === 0) {
        throw new ModelRefusedError(
          `its metadata's input normalization is unusable (mean ${mean}, std ${std})`,
        );
      }
      ranges.push({ lo: (0 - mean) / std, hi: (255 - mean) / std });
    }
    return { ranges, source: "metadata" };
  }
  if (type !== "float32" && q) {
    const [qmin, qmax] = INTEGER_RANGE[type];
    const zero = q.zeroPoint[0] ?? 0;
    return {
      ranges: [{ lo: q.scale[0] * (qmin - zero), hi: q.scale[0] * (qmax - zero) }],
      source: "quantization",
    };
  }
  return { ranges: [{ lo: 0, hi: 1 }], source: "default" };
}

function normalizationOf(bytes: Uint8Array): { mean: number[]; std: number[] } | null {
  try {
    return readInputNormalization(bytes);
  } catch {
    throw new ModelRefusedError("its metadata cannot be read");
  }
}

/** Whether the graph's output comes from a SOFTMAX (through quantize, reshape and the like). */
function endsInSoftmax(file: TfliteFile): boolean {
  const graph = file.subgraphs[0];
  let tensor = graph.outputs[0];
  for (let steps = 0; steps <= graph.operators.length; steps++) {
    const producer = graph.operators.find((op) => op.outputs.includes(tensor));
    if (!producer) return false;
    if (producer.name === "SOFTMAX") return true;
    if (!PASS_THROUGH.has(producer.name)) return false;
    tensor = producer.inputs[0];
  }
  return false;
}

/**
 * Writes the model's input for a preprocessed digit (28×28 row-major, 0–1, white ink on black):
 * scaled to the model's height × width (bilinear), the grey in every channel, mapped to the
 * model's range. An integer input is quantized later, by the runtime, with the tensor's own
 * parameters; these are the real values it stands for.
 */
export function feedDigit(plan: FeedPlan, digit: Float32Array, out: Float32Array): void {
  const { height, width, channels, ranges } = plan;
  const same = height === INPUT_SIZE && width === INPUT_SIZE;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = same
        ? digit[y * INPUT_SIZE + x]
        : sample(
            digit,
            (x + 0.5) * (INPUT_SIZE / width) - 0.5,
            (y + 0.5) * (INPUT_SIZE / height) - 0.5,
          );
      for (let c = 0; c < channels; c++) {
        const range = ranges[c % ranges.length];
        out[(y * width + x) * channels + c] = range.lo + v * (range.hi - range.lo);
      }
    }
  }
}

/** Bilinear sample of the 28×28 digit at (x, y) in pixel-centre coordinates, edges clamped. */
function sample(digit: Float32Array, x: number, y: number): number {
  const last = INPUT_SIZE - 1;
  const cx = Math.min(last, Math.max(0, x));
  const cy = Math.min(last, Math.max(0, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(last, x0 + 1);
  const y1 = Math.min(last, y0 + 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const top = digit[y0 * INPUT_SIZE + x0] * (1 - fx) + digit[y0 * INPUT_SIZE + x1] * fx;
  const bottom = digit[y1 * INPUT_SIZE + x0] * (1 - fx) + digit[y1 * INPUT_SIZE + x1] * fx;
  return top * (1 - fy) + bottom * fy;
}

/** One line saying how the model is fed, e.g. "[1,28,28,1] uint8, pixels 0–1 (from its quantization), output probabilities". */
export function describePlan(plan: FeedPlan): string {
  const shape = `[${plan.inputShape.join(",")}]`;
  const scaled =
    plan.height !== INPUT_SIZE || plan.width !== INPUT_SIZE
      ? `, the 28×28 digit scaled to ${plan.height}×${plan.width}`
      : "";
  const grey = plan.channels > 1 ? `, the grey in each of ${plan.channels} channels` : "";
  const range = plan.ranges.map(formatRange).join(" / ");
  const source = {
    option: "as told",
    metadata: "from its metadata",
    quantization: "from its quantization",
    default: "the default",
  }[plan.rangeSource];
  const outputs = {
    probabilities: "ten probabilities",
    logits: "ten logits (DigitKit applies the softmax)",
    unknown: "ten scores",
  }[plan.outputs];
  const notes = plan.rewritten.length ? `; ${plan.rewritten.join(", ")}` : "";
  const stored = storedRange(plan);
  return `input ${shape} ${plan.inputType}${scaled}${grey}, black to white ${range} (${source}${stored}); output ${outputs}${notes}`;
}

/** For an integer input, the integers black and white become ("; stored as uint8 0–255"). */
function storedRange(plan: FeedPlan): string {
  const q = plan.inputQuantization;
  if (!q) return "";
  const [qmin, qmax] = INTEGER_RANGE[plan.inputType];
  const store = (v: number) =>
    Math.max(qmin, Math.min(qmax, Math.round(v / q.scale + q.zeroPoint)));
  const range = plan.ranges[0];
  return `; stored as ${plan.inputType} ${store(range.lo)}–${store(range.hi)}`;
}
