import type { GraphSpec, OperatorSpec } from "../../tflite/graph.ts";
import { BuiltinOperator, TensorType } from "../../tflite/schema.ts";
import type { ExportOp } from "./op.ts";

/** QUANTIZE float32 → int8 (the int8 graph's first op). */
export function quantizeOperator(input: number, output: number): OperatorSpec {
  return {
    op: BuiltinOperator.QUANTIZE,
    version: 2,
    inputs: [input],
    outputs: [output],
    options: { kind: "quantize" },
  };
}

/** DEQUANTIZE to float32: from int8 (the int8 graph's last op) or float16 (weights). */
export function dequantizeOperator(graph: GraphSpec, input: number, output: number): OperatorSpec {
  return {
    op: BuiltinOperator.DEQUANTIZE,
    version: graph.tensors[input].type === TensorType.FLOAT16 ? 3 : 2,
    inputs: [input],
    outputs: [output],
    options: { kind: "dequantize" },
  };
}

export const quantizeOp: ExportOp = { code: BuiltinOperator.QUANTIZE };
export const dequantizeOp: ExportOp = { code: BuiltinOperator.DEQUANTIZE };
