import { BuiltinOperator, BuiltinOptions, TensorType } from "../schema.ts";
import { checkSameShape, emptyTable, type OpFormat, scalePerSlice, typeOf } from "./format.ts";

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
  version(sig) {
    const out = sig.outputs[0];
    if (out && scalePerSlice(out, out.quantizedDimension)) return 3;
    return typeOf(sig.outputs[0]) === TensorType.INT16 ? 2 : 1;
  },
  runtimeVersions: { 1: "1.14.0", 2: "1.15.0", 3: "2.7.0" },
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
  version(sig) {
    const type = typeOf(sig.inputs[0]);
    if (type === TensorType.INT16 || type === TensorType.FLOAT16) return 3;
    const x = sig.inputs[0];
    if (type === TensorType.INT8) return x && scalePerSlice(x, x.quantizedDimension) ? 5 : 2;
    return 1;
  },
  runtimeVersions: { 1: "1.13.1", 2: "1.14.0", 3: "1.15.0", 4: "2.2.0", 5: "2.7.0" },
};
