import { elementCount } from "./graph.ts";
import type { TfliteSubgraph, TfliteTensor } from "./reader.ts";
import { BuiltinOperator } from "./schema.ts";

/**
 * Shape consistency of the ops DigitKit writes. The runtime trusts a model's shapes more than it
 * should (an FULLY_CONNECTED whose input does not match its weights can make LiteRT read past its
 * buffers), so the reader refuses such files first. Returns the first problem, or undefined.
 */
export function checkOperatorShapes(graph: TfliteSubgraph): string | undefined {
  for (const op of graph.operators) {
    const problem = checkOperator(graph, op.builtinCode, op.inputs, op.outputs, op.options);
    if (problem) return `operator ${op.index} (${op.name}): ${problem}`;
  }
  return undefined;
}

const count = (t: TfliteTensor) => elementCount(t.shape);
const same = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function windowOut(
  size: number,
  window: number,
  stride: number,
  dilation: number,
  padding: unknown,
) {
  const effective = (window - 1) * dilation + 1;
  return padding === "SAME"
    ? Math.ceil(size / stride)
    : Math.floor((size - effective) / stride) + 1;
}

function checkOperator(
  graph: TfliteSubgraph,
  code: number,
  inputs: number[],
  outputs: number[],
  options: Record<string, unknown>,
): string | undefined {
  const tensor = (i: number | undefined) =>
    i === undefined || i < 0 ? undefined : graph.tensors[i];
  const x = tensor(inputs[0]);
  const y = tensor(outputs[0]);
  const needs = (n: number) =>
    inputs.length < n || !x || !y ? `needs ${n} input(s) and an output` : undefined;
  switch (code) {
    case BuiltinOperator.FULLY_CONNECTED: {
      const missing = needs(2);
      const w = tensor(inputs[1]);
      if (missing || !x || !y || !w) return missing ?? "has no weights";
      if (w.shape.length !== 2) return `weights have rank ${w.shape.length}, expected 2`;
      const [units, depth] = w.shape;
      if (depth === 0 || count(x) % depth !== 0) {
        return `input [${x.shape}] does not divide into rows of ${depth}`;
      }
      if (count(y) !== (count(x) / depth) * units) {
        return `output [${y.shape}] does not match ${count(x) / depth} rows of ${units} units`;
      }
      const bias = tensor(inputs[2]);
      if (bias && count(bias) !== units) return `bias has ${count(bias)} values for ${units} units`;
      return undefined;
    }
    case BuiltinOperator.CONV_2D: {
      const missing = needs(2);
      const w = tensor(inputs[1]);
      if (missing || !x || !y || !w) return missing ?? "has no filter";
      if (x.shape.length !== 4 || w.shape.length !== 4 || y.shape.length !== 4) {
        return "input, filter and output must have rank 4";
      }
      const [outC, kh, kw, inC] = w.shape;
      if (inC !== x.shape[3]) return `filter depth ${inC} for ${x.shape[3]} input channels`;
      if (y.shape[3] !== outC || y.shape[0] !== x.shape[0])
        return "output batch or channels differ";
      const bias = tensor(inputs[2]);
      if (bias && count(bias) !== outC) return `bias has ${count(bias)} values for ${outC} filters`;
      const [sh, sw] = (options.stride as number[]) ?? [0, 0];
      const [dh, dw] = (options.dilation as number[]) ?? [1, 1];
      if (!(sh > 0 && sw > 0 && dh > 0 && dw > 0)) return "strides and dilations must be positive";
      if (
        y.shape[1] !== windowOut(x.shape[1], kh, sh, dh, options.padding) ||
        y.shape[2] !== windowOut(x.shape[2], kw, sw, dw, options.padding)
      ) {
        return `output [${y.shape}] does not follow from input [${x.shape}]`;
      }
      return undefined;
    }
    case BuiltinOperator.MAX_POOL_2D:
    case BuiltinOperator.AVERAGE_POOL_2D: {
      const missing = needs(1);
      if (missing || !x || !y) return missing;
      if (x.shape.length !== 4 || y.shape.length !== 4) return "input and output must have rank 4";
      if (x.shape[0] !== y.shape[0] || x.shape[3] !== y.shape[3]) {
        return "output batch or channels differ";
      }
      const [sh, sw] = (options.stride as number[]) ?? [0, 0];
      const [fh, fw] = (options.filter as number[]) ?? [0, 0];
      if (!(sh > 0 && sw > 0 && fh > 0 && fw > 0)) return "strides and filter must be positive";
      if (
        y.shape[1] !== windowOut(x.shape[1], fh, sh, 1, options.padding) ||
        y.shape[2] !== windowOut(x.shape[2], fw, sw, 1, options.padding)
      ) {
        return `output [${y.shape}] does not follow from input [${x.shape}]`;
      }
      return undefined;
    }
    case BuiltinOperator.RESHAPE: {
      const missing = needs(1);
      if (missing || !x || !y) return missing;
      return count(x) === count(y) ? undefined : `reshapes ${count(x)} values into ${count(y)}`;
    }
    case BuiltinOperator.SOFTMAX:
    case BuiltinOperator.QUANTIZE:
    case BuiltinOperator.DEQUANTIZE:
    case BuiltinOperator.RELU:
    case BuiltinOperator.RELU6:
    case BuiltinOperator.LOGISTIC:
    case BuiltinOperator.TANH: {
      const missing = needs(1);
      if (missing || !x || !y) return missing;
      return same(x.shape, y.shape)
        ? undefined
        : `output [${y.shape}] differs from input [${x.shape}]`;
    }
    default:
      return undefined;
  }
}
