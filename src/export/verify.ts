import type { LayersModel } from "@tensorflow/tfjs-layers";
import { fromFloat16Bits } from "../tflite/float16.ts";
import { ownBuffer } from "../tflite/graph.ts";
import type { TfliteFile, TfliteSubgraph, TfliteTensor } from "../tflite/reader.ts";
import { BuiltinOperator, FILE_IDENTIFIER, SCHEMA_VERSION, TensorType } from "../tflite/schema.ts";

/**
 * Checks an exported file for the mistakes a TFLite runtime accepts silently: buffer 0 not empty,
 * an operator code missing `deprecated_builtin_code` or `builtin_code` (old readers see only the
 * first), and — against the TF.js model it came from — FULLY_CONNECTED weights not laid out
 * [units, inputs] and CONV_2D filters not OHWI. A transposed square matrix has the right shape, so
 * orientation is checked value by value against the source kernel. Returns the problems found.
 */
export function checkExport(file: TfliteFile, bytes: Uint8Array, model?: LayersModel): string[] {
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
  if (model) problems.push(...checkWeightLayout(file.subgraphs[0], model));
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

function checkWeightLayout(graph: TfliteSubgraph, model: LayersModel): string[] {
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
    const found = constantValues(graph, op.inputs[1]);
    const shape = tensor.shape.join(",");
    if (shape !== `${units},${inputs}`) {
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
    const found = constantValues(graph, op.inputs[1]);
    const shape = tensor.shape.join(",");
    if (shape !== `${outC},${kh},${kw},${inC}`) {
      problems.push(
        `${layer.name}: CONV_2D filter has shape [${shape}], expected OHWI [${outC},${kh},${kw},${inC}]`,
      );
    } else if (!found || relativeError(found, expected) > WEIGHT_TOLERANCE) {
      problems.push(`${layer.name}: CONV_2D filter values are not in OHWI order`);
    }
  });
  return problems;
}
