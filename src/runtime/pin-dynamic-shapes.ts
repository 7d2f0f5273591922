import { FlatView } from "../tflite/flat-view.ts";
import { ModelField, SubGraphField, TensorField } from "../tflite/schema.ts";

/**
 * The MLIR converter writes a dynamic batch as shape_signature -1 (shape holds 1). LiteRT.js
 * refuses such a model (it builds a ranked tensor type from the signature and cannot resize it),
 * so we hand it a copy whose signatures say what the shapes say: every -1 becomes the shape's own
 * value at that axis. The file keeps its length and layout; only those int32 values change.
 * Returns the bytes unchanged when nothing is dynamic, or when they cannot be read this far (the
 * reader, which runs next, then says what is wrong).
 */
export function pinDynamicShapes(bytes: Uint8Array): Uint8Array {
  try {
    return pinned(bytes);
  } catch {
    return bytes;
  }
}

function pinned(bytes: Uint8Array): Uint8Array {
  const view = new FlatView(bytes);
  const patches: { pos: number; value: number }[] = [];
  for (const subgraph of view.tables(view.root(), ModelField.subgraphs)) {
    for (const tensor of view.tables(subgraph, SubGraphField.tensors)) {
      const signature = view.vector(tensor, TensorField.shape_signature, 4);
      if (signature.length === 0) continue;
      const shape = view.vector(tensor, TensorField.shape, 4);
      for (let axis = 0; axis < signature.length; axis++) {
        const pos = signature.start + 4 * axis;
        if (view.i32(pos) !== -1) continue;
        const fixed = axis < shape.length ? view.i32(shape.start + 4 * axis) : 1;
        patches.push({ pos, value: fixed > 0 ? fixed : 1 });
      }
    }
  }
  if (patches.length === 0) return bytes;
  const copy = bytes.slice();
  const out = new DataView(copy.buffer);
  for (const { pos, value } of patches) out.setInt32(pos, value, true);
  return copy;
}
