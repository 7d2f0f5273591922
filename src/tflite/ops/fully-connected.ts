import type { ActivationValue } from "../schema.ts";
import {
  BuiltinOperator,
  BuiltinOptions,
  FullyConnectedOptionsField as F,
  TensorType,
} from "../schema.ts";
import {
  activationName,
  count,
  isHybrid,
  isInt8,
  type OpFormat,
  operands,
  optionSet,
  scalePerSlice,
  typeOf,
} from "./format.ts";

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
  version(sig) {
    // op_signature.cc: per-channel = more than one scale, one per unit (dimension 0)
    if (isHybrid(sig) && scalePerSlice(sig.inputs[1], 0)) return 12;
    if (typeOf(sig.inputs[0]) === TensorType.INT16) return 7;
    if (sig.inputs.length === 2) return 6;
    if (optionSet(sig, "keepNumDims")) return 5;
    if (isInt8(sig)) return 4;
    if (isHybrid(sig)) return optionSet(sig, "asymmetricQuantizeInputs") ? 9 : 3;
    return 1;
  },
  runtimeVersions: {
    1: "1.5.0",
    2: "1.10.0",
    3: "1.14.0",
    4: "1.14.0",
    5: "2.0.0",
    6: "2.1.0",
    7: "2.3.0",
    8: "2.3.0",
    9: "2.3.0",
    10: "2.11.0",
    11: "2.15.0",
    12: "2.17.0",
  },
};
