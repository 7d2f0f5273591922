import type { ActivationValue } from "../schema.ts";
import { BuiltinOperator, BuiltinOptions, ArithmeticOptionsField as F } from "../schema.ts";
import {
  activationName,
  count,
  type OpFormat,
  type OptionsCodec,
  operands,
  sameShape,
  versionByInputType,
} from "./format.ts";

export interface AddOptions {
  kind: "add";
  activation: ActivationValue;
}
export interface MulOptions {
  kind: "mul";
  activation: ActivationValue;
}

function arithmeticOptions<K extends "add" | "mul">(
  kind: K,
  type: number,
): OptionsCodec<{ kind: K; activation: ActivationValue }> {
  return {
    kind,
    type,
    write(b, options) {
      b.startObject(F.count);
      b.addFieldInt8(F.fused_activation_function, options.activation, 0);
      return b.endObject();
    },
    read: (t) => ({ activation: activationName(t, F.fused_activation_function) }),
  };
}

/** x ∘ c with c of x's shape, one value, or one per channel (the last axis), broadcast. */
const checkBroadcast: OpFormat["checkShapes"] = (graph, op) => {
  const { x, y, tensor, missing } = operands(graph, op, 2);
  const c = tensor(op.inputs[1]);
  if (missing || !x || !y || !c) return missing ?? "needs two inputs";
  if (!sameShape(x.shape, y.shape)) return `output [${y.shape}] differs from input [${x.shape}]`;
  const channels = x.shape[x.shape.length - 1];
  const n = count(c);
  if (
    !(
      sameShape(c.shape, x.shape) ||
      n === 1 ||
      (n === channels && c.shape[c.shape.length - 1] === channels)
    )
  ) {
    return `second input [${c.shape}] does not broadcast to [${x.shape}]`;
  }
  return undefined;
};

export const addFormat: OpFormat<AddOptions> = {
  code: BuiltinOperator.ADD,
  options: arithmeticOptions("add", BuiltinOptions.AddOptions),
  checkShapes: checkBroadcast,
  version: versionByInputType,
  runtimeVersions: { 1: "1.5.0", 2: "1.14.0", 3: "2.4.0" },
};

export const mulFormat: OpFormat<MulOptions> = {
  code: BuiltinOperator.MUL,
  options: arithmeticOptions("mul", BuiltinOptions.MulOptions),
  checkShapes: checkBroadcast,
  version: versionByInputType,
  runtimeVersions: { 1: "1.5.0", 2: "1.14.0", 3: "1.15.0" },
};
