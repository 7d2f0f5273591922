import type { LayersModel } from "@tensorflow/tfjs-layers";
import { fromFloat16Bits } from "../tflite/float16.ts";
import { ownBuffer } from "../tflite/graph.ts";
import { METADATA_BUFFER_NAME, readModelMetadata } from "../tflite/metadata.ts";
import type { TfliteFile, TfliteSubgraph, TfliteTensor } from "../tflite/reader.ts";
import { BuiltinOperator, FILE_IDENTIFIER, SCHEMA_VERSION, TensorType } from "../tflite/schema.ts";
import { MIN_RUNTIME_VERSION, minRuntimeVersion, versionMismatches } from "../tflite/versioning.ts";
import { readZipEntries } from "../tflite/zip.ts";

/**
 * Checks an exported file for the mistakes a TFLite runtime accepts silently: buffer 0 not empty,
 * an operator code missing `deprecated_builtin_code` or `builtin_code` (old readers see only the
 * first), and — against the TF.js model it came from — FULLY_CONNECTED weights not laid out
 * [units, inputs] and CONV_2D filters not OHWI. A transposed square matrix has the right shape, so
 * orientation is checked value by value against the source kernel. Returns the problems found.
 */
export function checkExport(
  file: TfliteFile,
  bytes: Uint8Array,
  model?: LayersModel,
  options: { rgbInput?: boolean } = {},
): string[] {
  const problems: string[] = [];
  const identifier = String.fromCharCode(...bytes.subarray(4, 8));
  if (identifier !== FILE_IDENTIFIER) problems.push(`file identifier is "${identifier}"`);
  if (file.version !== SCHEMA_VERSION) problems.push(`schema version is ${file.version}`);
  if (file.bufferSizes[0] !== 0) problems.push("buffer 0 is not empty");
  file.operatorCodes.forEach((code, i) => {
    if (!code.hasBuiltinCode) problems.push(`operator code ${i} (${code.name}) lacks builtin_code`);
    if (!code.hasDeprecatedBuiltinCode) {
      problems.push(`operator code ${i} (${code.name}) lacks deprecated_builtin_code`);
    }
  });
  problems.push(...versionMismatches(file));
  if (model)
    problems.push(...checkWeightLayout(file.subgraphs[0], model, options.rgbInput ?? false));
  return problems;
}

/**
 * What every export carries besides the graph: min_runtime_version as the converter computes it,
 * a TFLITE_METADATA buffer that reads back with one output and its TENSOR_AXIS_LABELS file, and
 * that file in the zip at the end, holding the ten digit labels.
 */
export function checkMetadata(file: TfliteFile, bytes: Uint8Array): string[] {
  const problems: string[] = [];
  const entry = (name: string) => file.metadata.find((m) => m.name === name);
  const runtime = entry(MIN_RUNTIME_VERSION);
  const expected = minRuntimeVersion(
    file.subgraphs.flatMap((g) =>
      g.operators.map((op) => ({ op: op.builtinCode, version: op.version })),
    ),
  );
  const written = runtime ? new TextDecoder().decode(runtime.data).replace(/\0+$/, "") : undefined;
  if (written !== expected) {
    problems.push(
      `min_runtime_version is ${JSON.stringify(written)}, the op versions need "${expected}"`,
    );
  }
  const meta = entry(METADATA_BUFFER_NAME);
  if (!meta) return [...problems, "no TFLITE_METADATA"];
  let labels: string | undefined;
  try {
    const m = readModelMetadata(meta.data);
    const file = m.outputs[0]?.associatedFiles?.find((f) => f.type === "TENSOR_AXIS_LABELS");
    if (m.inputs.length !== 1 || m.outputs.length !== 1 || !file) {
      problems.push("the metadata lacks one input, one output or the output's labels");
    }
    labels = file?.name;
  } catch (error) {
    problems.push(String((error as Error).message));
  }
  const attached = readZipEntries(bytes).find((e) => e.name === labels);
  const text = attached?.data ? new TextDecoder().decode(attached.data) : "";
  if (text.trim().split("\n").join(",") !== "0,1,2,3,4,5,6,7,8,9") {
    problems.push(`the attached ${labels ?? "labels"} file does not hold the digits 0–9`);
  }
  return problems;
}

/** The float values of a constant tensor, following a DEQUANTIZE that feeds it if there is one. */
export function constantValues(graph: TfliteSubgraph, index: number): Float32Array | undefined {
  let tensor: TfliteTensor = graph.tensors[index];
  if (!tensor.data) {
    const producer = graph.operators.find(
      (op) => op.builtinCode === BuiltinOperator.DEQUANTIZE && op.outputs[0] === index,
    );
    if (!producer) return undefined;
    tensor = graph.tensors[producer.inputs[0]];
    if (!tensor.data) return undefined;
  }
  return dequantize(tensor);
}

function dequantize(tensor: TfliteTensor): Float32Array | undefined {
  const copy = ownBuffer(tensor.data!);
  switch (tensor.type) {
    case TensorType.FLOAT32:
      return new Float32Array(copy);
    case TensorType.FLOAT16:
      return Float32Array.from(new Uint16Array(copy), fromFloat16Bits);
    case TensorType.INT8: {
      const q = tensor.quantization;
      if (!q) return undefined;
      const values = new Int8Array(copy);
      const channels = q.scale.length;
      const perChannel = values.length / channels;
      // Per-channel scales in our exports run along dimension 0, the outermost.
      return Float32Array.from(values, (v, i) => {
        const c = channels > 1 ? Math.floor(i / perChannel) : 0;
        return (v - (q.zeroPoint[c] ?? 0)) * q.scale[c];
      });
    }
    default:
      return undefined;
  }
}

/** Largest |a-b| relative to the largest |b| (so int8 rounding reads as a small number). */
function relativeError(a: Float32Array, b: Float32Array): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    maxRef = Math.max(maxRef, Math.abs(b[i]));
  }
  return maxRef > 0 ? maxDiff / maxRef : maxDiff;
}

// int8 weights are within half a step (1/254 of the channel's max) of the float weights.
const WEIGHT_TOLERANCE = 0.01;

/** The first layer of the image classifier spreads each weight over R, G and B: sum them back. */
function collapseChannels(values: Float32Array | undefined): Float32Array | undefined {
  if (!values) return undefined;
  const out = new Float32Array(values.length / 3);
  for (let i = 0; i < out.length; i++)
    out[i] = values[3 * i] + values[3 * i + 1] + values[3 * i + 2];
  return out;
}

function checkWeightLayout(graph: TfliteSubgraph, model: LayersModel, rgbInput: boolean): string[] {
  const problems: string[] = [];
  const fcOps = graph.operators.filter((op) => op.builtinCode === BuiltinOperator.FULLY_CONNECTED);
  const convOps = graph.operators.filter((op) => op.builtinCode === BuiltinOperator.CONV_2D);
  const dense = model.layers.filter((l) => l.getClassName() === "Dense");
  const conv = model.layers.filter((l) => l.getClassName() === "Conv2D");
  if (fcOps.length !== dense.length) {
    problems.push(`${fcOps.length} FULLY_CONNECTED ops for ${dense.length} Dense layers`);
  }
  if (convOps.length !== conv.length) {
    problems.push(`${convOps.length} CONV_2D ops for ${conv.length} Conv2D layers`);
  }
  dense.forEach((layer, n) => {
    const op = fcOps[n];
    if (!op) return;
    const kernel = layer.getWeights()[0];
    const [inputs, units] = kernel.shape;
    const values = kernel.dataSync() as Float32Array;
    const expected = new Float32Array(units * inputs);
    for (let i = 0; i < inputs; i++) {
      for (let u = 0; u < units; u++) expected[u * inputs + i] = values[i * units + u];
    }
    const tensor = graph.tensors[op.inputs[1]];
    const spread = rgbInput && n === 0 && conv.length === 0;
    const raw = constantValues(graph, op.inputs[1]);
    const found = spread ? collapseChannels(raw) : raw;
    const shape = tensor.shape.join(",");
    if (shape !== `${units},${spread ? 3 * inputs : inputs}`) {
      problems.push(
        `${layer.name}: FULLY_CONNECTED weights have shape [${shape}], expected [${units},${inputs}]`,
      );
    } else if (!found || relativeError(found, expected) > WEIGHT_TOLERANCE) {
      problems.push(`${layer.name}: FULLY_CONNECTED weights are not [units, inputs] (transposed?)`);
    }
  });
  conv.forEach((layer, n) => {
    const op = convOps[n];
    if (!op) return;
    const kernel = layer.getWeights()[0];
    const [kh, kw, inC, outC] = kernel.shape;
    const values = kernel.dataSync() as Float32Array;
    const expected = new Float32Array(values.length);
    for (let h = 0; h < kh; h++) {
      for (let w = 0; w < kw; w++) {
        for (let i = 0; i < inC; i++) {
          for (let o = 0; o < outC; o++) {
            expected[((o * kh + h) * kw + w) * inC + i] =
              values[((h * kw + w) * inC + i) * outC + o];
          }
        }
      }
    }
    const tensor = graph.tensors[op.inputs[1]];
    const spread = rgbInput && n === 0;
    const raw = constantValues(graph, op.inputs[1]);
    const found = spread ? collapseChannels(raw) : raw;
    const shape = tensor.shape.join(",");
    if (shape !== `${outC},${kh},${kw},${spread ? 3 * inC : inC}`) {
      problems.push(
        `${layer.name}: CONV_2D filter has shape [${shape}], expected OHWI [${outC},${kh},${kw},${inC}]`,
      );
    } else if (!found || relativeError(found, expected) > WEIGHT_TOLERANCE) {
      problems.push(`${layer.name}: CONV_2D filter values are not in OHWI order`);
    }
  });
  return problems;
}
