import type { LayersModel } from "@tensorflow/tfjs-layers";
import { exportModel } from "../export/export.ts";
import type { IoElementType, QuantizeMode } from "../export/quantize.ts";
import { buildTfjsModel } from "./build.ts";
import { foldForInference } from "./fold.ts";
import { ImportError } from "./import-error.ts";
import type { ImportedModel } from "./load.ts";

/**
 * An imported Keras model → a checked .tflite: fold it for inference, rebuild the folded chain as
 * a TF.js Layers model, and hand that to the exporter (which verifies the file and runs it once
 * in the official runtime). The unfolded model is kept as `reference`: the Keras arithmetic the
 * file is judged against. Needs a TF.js backend to be set. No Node imports: the app converts
 * with it too (the caller says where the runtime that checks the file loads from).
 */

export interface ConvertOptions {
  /** Where the official runtime loads from (nodeWasmRoot() or browserWasmRoot(url)). */
  wasmRoot: string;
  /** int8 calibration images as DigitKit's inputs (0–1); scaled to the model's own range here. */
  calibration?: Float32Array[];
  /** int8: float32 (default) or uint8 input and output tensors. */
  io?: IoElementType;
  /** The file's name, for the description. */
  source?: string;
}

export interface Conversion {
  bytes: Uint8Array;
  quantization: QuantizeMode;
  /** TF.js Layers with the file's weights, as Keras defined the model (nothing folded). */
  reference: LayersModel;
  /** One line per layer read, one per fold or drop, the ops written. */
  summary: string[];
  operators: string[];
  /**
   * The input's value for white, as in the Keras model: 255 when it starts with Rescaling(1/255)
   * (the file then takes pixel bytes, its metadata says so), else 1. Probes for `reference` and
   * the file are DigitKit inputs (0–1) times this.
   */
  inputMax: 1 | 255;
}

export async function convertImported(
  model: ImportedModel,
  quantization: QuantizeMode,
  options: ConvertOptions,
): Promise<Conversion> {
  const reference = buildTfjsModel(model.layers, model.inputShape, model.name);
  const folded = foldForInference(model.layers);
  if (folded.layers.length === 0)
    throw new ImportError("the model has no layers that compute anything");
  const inference = buildTfjsModel(folded.layers, model.inputShape, model.name);
  const description = `DigitKit conversion of ${options.source ?? model.name} (${model.format}; quantization: ${quantization}${options.io === "uint8" ? ", uint8 input and output" : ""})`;
  let result: Awaited<ReturnType<typeof exportModel>>;
  try {
    result = await exportModel(inference, quantization, {
      description: description.slice(0, 500),
      calibration: scaleInputs(options.calibration, model.inputMax),
      wasmRoot: options.wasmRoot,
      quantize: { io: options.io },
      metadata: { inputMax: model.inputMax },
    });
  } finally {
    inference.dispose();
  }
  const counts = new Map<string, number>();
  for (const op of result.operators) counts.set(op, (counts.get(op) ?? 0) + 1);
  const ops = [...counts].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(", ");
  const summary = [
    `read ${model.format}: ${model.layers.length} layers, input [${model.inputShape.join(",")}]`,
    ...model.layers.map(
      (l) =>
        `  ${l.name} (${l.className}) → [${l.outputShape.join(",")}]${l.weights.length ? `, ${l.weights.reduce((s, w) => s + w.values.length, 0)} weights` : ""}`,
    ),
    ...(model.inputMax === 255
      ? [
          `input: pixel bytes 0–255, as the Keras model takes them (its first layer, Rescaling, scales them); the file's metadata says so`,
        ]
      : []),
    ...(folded.notes.length ? ["folded or dropped:", ...folded.notes.map((n) => `  ${n}`)] : []),
    `wrote ${result.operators.length} ops (${quantization}): ${ops}`,
  ];
  return {
    bytes: result.bytes,
    quantization,
    reference,
    summary,
    operators: result.operators,
    inputMax: model.inputMax,
  };
}

/** DigitKit inputs (0–1) in a model's own range (0–`max`). */
export function scaleInputs(
  inputs: Float32Array[] | undefined,
  max: number,
): Float32Array[] | undefined {
  if (!inputs || max === 1) return inputs;
  return inputs.map((x) => x.map((v) => v * max));
}
