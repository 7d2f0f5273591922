import type { LayersModel } from "@tensorflow/tfjs-layers";
import { exportModel } from "../export/export.ts";
import type { QuantizeMode } from "../export/quantize.ts";
import { buildTfjsModel } from "./build.ts";
import { foldForInference } from "./fold.ts";
import { ImportError } from "./import-error.ts";
import type { ImportedModel } from "./load.ts";

/**
 * An imported Keras model → a checked .tflite: fold it for inference, rebuild the folded chain as
 * a TF.js Layers model, and hand that to the exporter (which verifies the file and runs it once
 * in the official runtime). The unfolded model is kept as `reference`: the Keras arithmetic the
 * file is judged against. Needs a TF.js backend to be set.
 */

export interface Conversion {
  bytes: Uint8Array;
  quantization: QuantizeMode;
  /** TF.js Layers with the file's weights, as Keras defined the model (nothing folded). */
  reference: LayersModel;
  /** One line per layer read, one per fold or drop, the ops written. */
  summary: string[];
  operators: string[];
}

export async function convertImported(
  model: ImportedModel,
  quantization: QuantizeMode,
  options: { calibration?: Float32Array[]; source?: string } = {},
): Promise<Conversion> {
  const reference = buildTfjsModel(model.layers, model.inputShape, model.name);
  const folded = foldForInference(model.layers);
  if (folded.layers.length === 0)
    throw new ImportError("the model has no layers that compute anything");
  const inference = buildTfjsModel(folded.layers, model.inputShape, model.name);
  const description = `DigitKit conversion of ${options.source ?? model.name} (${model.format}; quantization: ${quantization})`;
  let result: Awaited<ReturnType<typeof exportModel>>;
  try {
    result = await exportModel(inference, quantization, {
      description: description.slice(0, 500),
      calibration: options.calibration,
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
    ...(folded.notes.length ? ["folded or dropped:", ...folded.notes.map((n) => `  ${n}`)] : []),
    `wrote ${result.operators.length} ops (${quantization}): ${ops}`,
  ];
  return { bytes: result.bytes, quantization, reference, summary, operators: result.operators };
}
