import { BuiltinOperator, BuiltinOptions } from "../schema.ts";
import { checkSameShape, emptyTable, type OpFormat } from "./format.ts";

export interface QuantizeOptions {
  kind: "quantize";
}
export interface DequantizeOptions {
  kind: "dequantize";
}

/** QUANTIZE: float (or another int type) → int8/uint8 with the output's scale and zero point. */
export const quantizeFormat: OpFormat<QuantizeOptions> = {
  code: BuiltinOperator.QUANTIZE,
  options: {
    kind: "quantize",
    type: BuiltinOptions.QuantizeOptions,
    write: (b) => emptyTable(b, 0),
    read: () => ({}),
  },
  checkShapes: checkSameShape,
};

/** DEQUANTIZE: int8/uint8/float16 → float32. */
export const dequantizeFormat: OpFormat<DequantizeOptions> = {
  code: BuiltinOperator.DEQUANTIZE,
  options: {
    kind: "dequantize",
    type: BuiltinOptions.DequantizeOptions,
    write: (b) => emptyTable(b, 0),
    read: () => ({}),
  },
  checkShapes: checkSameShape,
};
