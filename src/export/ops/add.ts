import { float32Bytes, type GraphSpec, type OperatorSpec, ownBuffer } from "../../tflite/graph.ts";
import { Activation, BuiltinOperator, TensorType } from "../../tflite/schema.ts";
import { constant, type ExportOp, type Int8Pass, outputTensor, type ShapeOf } from "./op.ts";

/**
 * ADD of an activation and a constant (one value, one per channel, or the same shape), the
 * second half of an affine map (BatchNormalization or Rescaling that could not be folded).
 */
export function addConstantOp(
  graph: GraphSpec,
  op: typeof BuiltinOperator.ADD | typeof BuiltinOperator.MUL,
  input: number,
  values: Float32Array,
  name: string,
): number {
  const shape = graph.tensors[input].shape;
  const c = constant(graph, {
    name: `${name}/${op === BuiltinOperator.ADD ? "offset" : "scale"}`,
    shape: [values.length],
    data: float32Bytes(values),
  });
  const out = outputTensor(graph, `${name}/${op === BuiltinOperator.ADD ? "Add" : "Mul"}`, shape);
  graph.operators.push({
    op,
    version: 1,
    inputs: [input, c],
    outputs: [out],
    options: { kind: op === BuiltinOperator.ADD ? "add" : "mul", activation: Activation.NONE },
  });
  return out;
}

/** x ∘ c with c broadcast along the last axis (or a single value). */
export function broadcastReference(
  op: OperatorSpec,
  values: Float32Array[],
  shapeOf: ShapeOf,
  f: (a: number, b: number) => number,
): Float32Array {
  const x = values[op.inputs[0]];
  const c = values[op.inputs[1]];
  const shape = shapeOf(op.inputs[0]);
  const channels = c.length === x.length ? x.length : c.length === 1 ? 1 : shape[shape.length - 1];
  return Float32Array.from(x, (v, i) => f(v, c[i % channels]));
}

/** int8 form: the constant int8 with one symmetric scale, the output calibrated. */
export function int8WithConstant(op: OperatorSpec, pass: Int8Pass): void {
  const { graph } = pass;
  const index = op.inputs[1];
  const t = graph.tensors[index];
  const values = new Float32Array(ownBuffer(t.data!));
  const maxAbs = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const scale = Math.fround(maxAbs > 0 ? maxAbs / 127 : 1);
  const q = Int8Array.from(values, (v) => Math.max(-127, Math.min(127, Math.round(v / scale))));
  graph.tensors[index] = {
    ...t,
    type: TensorType.INT8,
    data: new Uint8Array(q.buffer),
    quantization: { scale: [scale], zeroPoint: [0] },
  };
  pass.params.set(op.outputs[0], pass.calibrated(op.outputs[0]));
  op.version = 2;
}

export const addOp: ExportOp = {
  code: BuiltinOperator.ADD,
  reference: (op, values, shapeOf) => broadcastReference(op, values, shapeOf, (a, b) => a + b),
  int8: int8WithConstant,
};
