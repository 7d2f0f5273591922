import { BuiltinOperator } from "../schema.ts";
import { checkSameShape, NO_OPTIONS, type OpFormat } from "./format.ts";

/** Activations written as ops of their own (no options): output shape = input shape. */
function elementwise(code: number): OpFormat<{ kind: "none" }> {
  return { code, options: NO_OPTIONS, checkShapes: checkSameShape };
}

export const reluFormat = elementwise(BuiltinOperator.RELU);
export const relu6Format = elementwise(BuiltinOperator.RELU6);
export const logisticFormat = elementwise(BuiltinOperator.LOGISTIC);
export const tanhFormat = elementwise(BuiltinOperator.TANH);
