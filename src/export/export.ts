import type { LayersModel } from "@tensorflow/tfjs-layers";
import type { Dataset } from "../data/mnist.ts";
import { loadTfliteModel } from "../runtime/tflite-runtime.ts";
import { elementCount } from "../tflite/graph.ts";
import { readTflite } from "../tflite/reader.ts";
import { serializeGraph } from "../tflite/writer.ts";
import { UserError } from "../util/errors.ts";
import { convertLayersModel } from "./convert.ts";
import {
  attachFiles,
  digitMetadata,
  labelsFile,
  type MetadataOptions,
  withMetadata,
} from "./metadata.ts";
import { type QuantizeMode, type QuantizeOptions, quantizeGraph } from "./quantize.ts";
import { averageChannelsInput } from "./rgb-input.ts";
import { checkExport, checkMetadata } from "./verify.ts";

export interface ExportResult {
  bytes: Uint8Array;
  quantization: QuantizeMode;
  operators: string[];
}

/** What the file is for: DigitKit's own grey input, or the ML Kit / MediaPipe image classifier. */
export type ExportTarget = "digit" | "image-classifier";
export const EXPORT_TARGETS: readonly ExportTarget[] = ["digit", "image-classifier"];

/** Images for int8 calibration: `count` evenly spaced training images, as model inputs (0–1). */
export function calibrationInputs(train: Dataset, count: number): Float32Array[] {
  const pixels = train.rows * train.cols;
  const n = Math.min(count, train.count);
  const step = train.count / n;
  const inputs: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const offset = Math.floor(i * step) * pixels;
    inputs.push(Float32Array.from(train.images.subarray(offset, offset + pixels), (v) => v / 255));
  }
  return inputs;
}

/** A grey image as the image-classifier's RGB input (each value three times). */
export function greyToRgb(grey: Float32Array): Float32Array {
  const rgb = new Float32Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) rgb.fill(grey[i], 3 * i, 3 * i + 3);
  return rgb;
}

export interface ExportOptions {
  /**
   * Where the official runtime that runs the file once before it is handed back loads from:
   * `nodeWasmRoot()` in Node, `browserWasmRoot(url)` in a page. Given by the caller so that this
   * module has no Node imports (the app converts Keras files with it).
   */
  wasmRoot: string;
  description?: string;
  calibration?: Float32Array[];
  target?: ExportTarget;
  metadata?: Partial<Omit<MetadataOptions, "colorSpace">>;
  quantize?: QuantizeOptions;
}

/**
 * TF.js model → .tflite bytes, checked before anyone sees them: convert, (for the image
 * classifier) spread the first layer over RGB, quantize (operator versions follow TFLite's rules),
 * add min_runtime_version and TFLite Metadata, serialize, zip labels.txt onto the end; then our
 * reader must accept the file, the structural checks (buffer 0, opcode fields, op versions,
 * metadata, FC/CONV weight layout against the model) must pass, and the official runtime must
 * load it and run one input.
 */
export async function exportModel(
  model: LayersModel,
  quantization: QuantizeMode,
  options: ExportOptions,
): Promise<ExportResult> {
  if (options.quantize?.io === "uint8" && quantization !== "int8") {
    throw new UserError("uint8 input and output need --quantize int8 (integer activations)");
  }
  const target = options.target ?? "digit";
  const rgb = target === "image-classifier";
  let graph = convertLayersModel(model, options.description ?? "");
  if (rgb) graph = averageChannelsInput(graph);
  const calibration = rgb ? options.calibration?.map(greyToRgb) : options.calibration;
  graph = quantizeGraph(graph, quantization, calibration, options.quantize);
  const metadata = digitMetadata({
    name: options.metadata?.name ?? `DigitKit ${model.name}`,
    description:
      options.metadata?.description ??
      "Recognizes a handwritten digit 0–9 in a 28 × 28 image (MNIST conventions).",
    version: options.metadata?.version ?? "1",
    author: options.metadata?.author ?? "DigitKit",
    license: options.metadata?.license ?? "MIT",
    colorSpace: rgb ? "RGB" : "GRAYSCALE",
    inputMax: options.metadata?.inputMax,
  });
  const flatbuffer = serializeGraph(withMetadata(graph, metadata));
  const bytes = attachFiles(flatbuffer, [labelsFile()]);
  const file = readTflite(bytes);
  const problems = [
    ...checkExport(file, bytes, model, { rgbInput: rgb }),
    ...checkMetadata(file, bytes),
  ];
  if (problems.length > 0) throw new Error(`export produced a wrong file: ${problems.join("; ")}`);
  const runtime = await loadTfliteModel(bytes, options.wasmRoot);
  try {
    const out = runtime.run(new Float32Array(elementCount(runtime.inputShape)));
    if (!out.every(Number.isFinite))
      throw new Error("the exported model computes non-finite values");
  } finally {
    runtime.dispose();
  }
  const sub = file.subgraphs[0];
  return { bytes, quantization, operators: sub.operators.map((op) => op.name) };
}
