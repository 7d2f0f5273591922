import type { TfliteSubgraph } from "../reader.ts";
import { addFormat, mulFormat } from "./arithmetic.ts";
import { conv2dFormat } from "./conv-2d.ts";
import { depthwiseConv2dFormat } from "./depthwise-conv-2d.ts";
import { logisticFormat, relu6Format, reluFormat, tanhFormat } from "./elementwise.ts";
import type { OpFormat, OptionsCodec } from "./format.ts";
import { fullyConnectedFormat } from "./fully-connected.ts";
import { leakyReluFormat } from "./leaky-relu.ts";
import { meanFormat } from "./mean.ts";
import { averagePool2dFormat, maxPool2dFormat } from "./pool-2d.ts";
import { dequantizeFormat, quantizeFormat } from "./quantize.ts";
import { reshapeFormat } from "./reshape.ts";
import { softmaxFormat } from "./softmax.ts";

/**
 * Every builtin op whose options DigitKit writes and reads and whose shapes the reader checks.
 *
 * To add an op (say DEPTHWISE_CONV_2D):
 * 1. write src/tflite/ops/depthwise-conv-2d.ts exporting an `OpFormat<DepthwiseConv2dOptions>`:
 *    its code (schema.ts BuiltinOperator), its options codec (the union member from schema.fbs
 *    `union BuiltinOptions`, its field slots in schema.ts, `write` and `read`; ops sharing one
 *    options table share one codec, as pool-2d.ts does) and `checkShapes`;
 * 2. add it to OP_FORMATS below: the writer, the reader and OperatorOptions pick it up;
 * 3. for the exporter, add src/export/ops/depthwise-conv-2d.ts (see src/export/ops/registry.ts).
 */
export const OP_FORMATS = [
  fullyConnectedFormat,
  conv2dFormat,
  maxPool2dFormat,
  averagePool2dFormat,
  reshapeFormat,
  softmaxFormat,
  quantizeFormat,
  dequantizeFormat,
  reluFormat,
  relu6Format,
  logisticFormat,
  tanhFormat,
  depthwiseConv2dFormat,
  meanFormat,
  leakyReluFormat,
  addFormat,
  mulFormat,
] as const;

type OptionsOf<F> = F extends OpFormat<infer O> ? O : never;

/** The options an OperatorSpec can carry: one member per options codec above. */
export type OperatorOptions = OptionsOf<(typeof OP_FORMATS)[number]>;

const byCode = new Map<number, OpFormat>(OP_FORMATS.map((f) => [f.code, f as OpFormat]));
const codecs = [...new Set(OP_FORMATS.map((f) => f.options as OptionsCodec<{ kind: string }>))];
const codecByKind = new Map(codecs.map((c) => [c.kind, c]));
const codecByType = new Map(codecs.filter((c) => c.type !== 0).map((c) => [c.type, c]));

export function opFormat(code: number): OpFormat | undefined {
  return byCode.get(code);
}

/** The codec that writes options of this kind. */
export function optionsCodecOfKind(kind: string): OptionsCodec<{ kind: string }> {
  const codec = codecByKind.get(kind);
  if (!codec) throw new Error(`no options codec for "${kind}"`);
  return codec;
}

/** The codec that reads this BuiltinOptions member, if DigitKit knows it. */
export function optionsCodecOfType(type: number): OptionsCodec<{ kind: string }> | undefined {
  return codecByType.get(type);
}

/**
 * Shape consistency of the ops DigitKit knows. The runtime trusts a model's shapes more than it
 * should (an FULLY_CONNECTED whose input does not match its weights can make LiteRT read past its
 * buffers), so the reader refuses such files first. Returns the first problem, or undefined.
 */
export function checkOperatorShapes(graph: TfliteSubgraph): string | undefined {
  for (const op of graph.operators) {
    const problem = opFormat(op.builtinCode)?.checkShapes(graph, op);
    if (problem) return `operator ${op.index} (${op.name}): ${problem}`;
  }
  return undefined;
}
