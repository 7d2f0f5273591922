import { elementCount, type GraphSpec, ownBuffer } from "../tflite/graph.ts";
import { TensorType } from "../tflite/schema.ts";
import { exportOp } from "./ops/registry.ts";

/**
 * A plain TypeScript interpreter for the float32 graphs the converter builds, each op computed
 * by its `reference` in ops/. The int8 quantizer runs calibration images through it to learn each
 * activation tensor's range; it is not meant to be fast.
 */
export class ReferenceInterpreter {
  private readonly constants: (Float32Array | undefined)[];

  constructor(private readonly graph: GraphSpec) {
    this.constants = graph.tensors.map((t) => {
      if (!t.data) return undefined;
      if (t.type === TensorType.FLOAT32) {
        return new Float32Array(ownBuffer(t.data));
      }
      if (t.type === TensorType.INT32) {
        return Float32Array.from(new Int32Array(ownBuffer(t.data)));
      }
      throw new Error(`reference interpreter: tensor ${t.name} is not float32`);
    });
  }

  /** Runs one input; returns every tensor's values (constants and activations), by index. */
  run(input: Float32Array): Float32Array[] {
    const values: Float32Array[] = this.constants.map((c) => c ?? new Float32Array(0));
    values[this.graph.inputs[0]] = input;
    const shapeOf = (i: number) => this.graph.tensors[i].shape;
    for (const op of this.graph.operators) {
      const reference = exportOp(op.op)?.reference;
      if (!reference) throw new Error(`reference interpreter: unsupported op ${op.op}`);
      values[op.outputs[0]] = reference(op, values, shapeOf);
    }
    return values;
  }
}

/** Element count of a graph tensor (for callers sizing calibration arrays). */
export function tensorSize(graph: GraphSpec, index: number): number {
  return elementCount(graph.tensors[index].shape);
}
