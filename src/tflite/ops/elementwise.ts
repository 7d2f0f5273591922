import { BuiltinOperator, TensorType } from "../schema.ts";
import {
  checkSameShape,
  NO_OPTIONS,
  type OpFormat,
  type OpSignature,
  typeOf,
  versionByInputType,
} from "./format.ts";

/** Activations written as ops of their own (no options): output shape = input shape. */
function elementwise(
  code: number,
  version: (sig: OpSignature) => number,
  runtimeVersions: Record<number, string>,
): OpFormat<{ kind: "none" }> {
  return { code, options: NO_OPTIONS, checkShapes: checkSameShape, version, runtimeVersions };
}

/** RELU alone also takes uint8 at version 2. */
function reluVersion(sig: OpSignature): number {
  const type = typeOf(sig.inputs[0]);
  if (type === TensorType.INT16) return 3;
  return type === TensorType.INT8 || type === TensorType.UINT8 ? 2 : 1;
}

export const reluFormat = elementwise(BuiltinOperator.RELU, reluVersion, {
  1: "1.5.0",
  2: "2.1.0",
  3: "2.5.0",
});
export const relu6Format = elementwise(BuiltinOperator.RELU6, versionByInputType, {
  1: "1.5.0",
  2: "1.14.0",
  3: "2.5.0",
});
export const logisticFormat = elementwise(BuiltinOperator.LOGISTIC, versionByInputType, {
  1: "1.14.0",
  2: "1.14.0",
  3: "2.3.0",
});
export const tanhFormat = elementwise(BuiltinOperator.TANH, versionByInputType, {
  1: "1.14.0",
  2: "1.14.0",
  3: "2.3.0",
});
