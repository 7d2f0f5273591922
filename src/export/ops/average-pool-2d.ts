import { BuiltinOperator } from "../../tflite/schema.ts";
import { poolConverter, poolReference } from "./max-pool-2d.ts";
import type { ExportOp } from "./op.ts";

/** AveragePooling2D → AVERAGE_POOL_2D (with "same", the padded cells are left out of the mean). */
const convertAveragePool = poolConverter(BuiltinOperator.AVERAGE_POOL_2D, "AvgPool");

export const averagePool2dOp: ExportOp = {
  code: BuiltinOperator.AVERAGE_POOL_2D,
  layers: { AveragePooling2D: convertAveragePool },
  reference: poolReference("AVERAGE_POOL_2D", (cells) =>
    cells.length > 0 ? cells.reduce((sum, v) => sum + v, 0) / cells.length : 0,
  ),
  int8(op, pass) {
    pass.params.set(op.outputs[0], pass.params.get(op.inputs[0])!); // TFLite's int8 kernel keeps the scale
    op.version = 2;
  },
};
