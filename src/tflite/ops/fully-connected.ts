import type { ActivationValue } from "../schema.ts";
import { BuiltinOperator, BuiltinOptions, FullyConnectedOptionsField as F } from "../schema.ts";
import { activationName, count, type OpFormat, operands } from "./format.ts";

export interface FullyConnectedOptions {
  kind: "fullyConnected";
  activation: ActivationValue;
  keepNumDims?: boolean;
  asymmetricQuantizeInputs?: boolean;
}

/** FULLY_CONNECTED: y = x · Wᵀ + b, weights [units, depth], the input read as rows of depth. */
export const fullyConnectedFormat: OpFormat<FullyConnectedOptions> = {
  code: BuiltinOperator.FULLY_CONNECTED,
  options: {
    kind: "fullyConnected",
    type: BuiltinOptions.FullyConnectedOptions,
    write(b, options) {
      b.startObject(F.count);
      b.addFieldInt8(F.fused_activation_function, options.activation, 0);
      b.addFieldInt8(F.keep_num_dims, options.keepNumDims ? 1 : 0, 0);
      b.addFieldInt8(F.asymmetric_quantize_inputs, options.asymmetricQuantizeInputs ? 1 : 0, 0);
      return b.endObject();
    },
    read: (t) => ({
      activation: activationName(t, F.fused_activation_function),
      ...(t.int8(F.keep_num_dims) ? { keepNumDims: 1 } : {}),
      ...(t.int8(F.asymmetric_quantize_inputs) ? { asymmetricQuantizeInputs: 1 } : {}),
    }),
  },
  checkShapes(graph, op) {
    const { x, y, tensor, missing } = operands(graph, op, 2);
    const w = tensor(op.inputs[1]);
    if (missing || !x || !y || !w) return missing ?? "has no weights";
    if (w.shape.length !== 2) return `weights have rank ${w.shape.length}, expected 2`;
    const [units, depth] = w.shape;
    if (depth === 0 || count(x) % depth !== 0) {
      return `input [${x.shape}] does not divide into rows of ${depth}`;
    }
    if (count(y) !== (count(x) / depth) * units) {
      return `output [${y.shape}] does not match ${count(x) / depth} rows of ${units} units`;
    }
    const bias = tensor(op.inputs[2]);
    if (bias && count(bias) !== units) return `bias has ${count(bias)} values for ${units} units`;
    return undefined;
  },
};
