import type { LayersModel } from "@tensorflow/tfjs-layers";
import type { Dataset } from "../data/mnist.ts";
import { nodeWasmRoot } from "../runtime/node-litert.ts";
import { loadTfliteModel } from "../runtime/tflite-runtime.ts";
import { elementCount } from "../tflite/graph.ts";
import { readTflite } from "../tflite/reader.ts";
import { serializeGraph } from "../tflite/writer.ts";
import { convertLayersModel } from "./convert.ts";
import { type QuantizeMode, quantizeGraph } from "./quantize.ts";
import { checkExport } from "./verify.ts";

export interface ExportResult {
  bytes: Uint8Array;
  quantization: QuantizeMode;
  operators: string[];
}

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

/**
 * TF.js model → .tflite bytes, checked before anyone sees them: our reader must accept the
 * file, the structural checks (buffer 0, opcode fields, FC/CONV weight layout against the model)
 * must pass, and the official runtime must load it and run one input.
 */
export async function exportModel(
  model: LayersModel,
  quantization: QuantizeMode,
  options: { description?: string; calibration?: Float32Array[] } = {},
): Promise<ExportResult> {
  const graph = quantizeGraph(
    convertLayersModel(model, options.description ?? ""),
    quantization,
    options.calibration,
  );
  const bytes = serializeGraph(graph);
  const file = readTflite(bytes);
  const problems = checkExport(file, bytes, model);
  if (problems.length > 0) throw new Error(`export produced a wrong file: ${problems.join("; ")}`);
  const runtime = await loadTfliteModel(bytes, nodeWasmRoot());
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
