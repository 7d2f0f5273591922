import type { OperatorSpec } from "../../tflite/graph.ts";
import { BuiltinOperator } from "../../tflite/schema.ts";
import type { ExportOp } from "./op.ts";

/** QUANTIZE float32 → int8 (the int8 graph's first op). */
export function quantizeOperator(input: number, output: number): OperatorSpec {
  return {
    op: BuiltinOperator.QUANTIZE,
    version: 1, // set by assignOpVersions
    inputs: [input],
    outputs: [output],
    options: { kind: "quantize" },
  };
}

/** DEQUANTIZE to float32: from int8 (the int8 graph's last op) or float16 (weights). */
export function dequantizeOperator(input: number, output: number): OperatorSpec {
  return {
    op: BuiltinOperator.DEQUANTIZE,
    version: 1, // set by assignOpVersions
    inputs: [input],
    outputs: [output],
    options: { kind: "dequantize" },
  };
}

export const quantizeOp: ExportOp = { code: BuiltinOperator.QUANTIZE };
export const dequantizeOp: ExportOp = { code: BuiltinOperator.DEQUANTIZE };
