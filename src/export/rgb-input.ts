import { addTensor, float32Bytes, type GraphSpec, ownBuffer } from "../tflite/graph.ts";
import { BuiltinOperator, TensorType } from "../tflite/schema.ts";
import { UserError } from "../util/errors.ts";
import { addReshape } from "./ops/reshape.ts";

/**
 * The image-classifier input: a [1,28,28,3] RGB image instead of the 784 grey values, for the
 * ML Kit / MediaPipe / Task Library classifiers, which take only 3- or 4-channel images. The
 * first layer averages the channels: its weights are spread over R, G and B at a third each, so
 * a grey image (R = G = B) gives the network exactly its grey input (up to float rounding).
 */
export function averageChannelsInput(source: GraphSpec): GraphSpec {
  const graph: GraphSpec = {
    ...source,
    tensors: source.tensors.slice(),
    operators: source.operators.map((op) => ({ ...op, inputs: op.inputs.slice() })),
  };
  const grey = graph.inputs[0];
  const greyShape = graph.tensors[grey].shape.join(",");
  if (greyShape !== "1,784" && greyShape !== "1,28,28,1") {
    throw new UserError(
      `the image-classifier target needs a [1,784] or [1,28,28,1] input, not [${greyShape}]`,
    );
  }
  const first = graph.operators.findIndex((op) => op.inputs.includes(grey));
  const op = graph.operators[first];
  const consumers = graph.operators.filter((o) => o.inputs.includes(grey)).length;
  if (!op || consumers !== 1 || op.inputs[0] !== grey) {
    throw new UserError("the image-classifier target needs one first layer that reads the input");
  }
  const rgb = addTensor(graph, {
    name: graph.tensors[grey].name,
    shape: [1, 28, 28, 3],
    type: TensorType.FLOAT32,
  });
  graph.inputs = [rgb];
  const weights = graph.tensors[op.inputs[1]];
  if (!weights?.data || weights.type !== TensorType.FLOAT32) {
    throw new UserError("the image-classifier target needs float32 weights in the first layer");
  }
  const w = new Float32Array(ownBuffer(weights.data));
  if (op.op === BuiltinOperator.CONV_2D && greyShape === "1,28,28,1") {
    // OHWI with I = 1 → I = 3, each a third.
    const spread = new Float32Array(w.length * 3);
    for (let i = 0; i < w.length; i++) spread.fill(w[i] / 3, 3 * i, 3 * i + 3);
    const [o, kh, kw] = weights.shape;
    graph.tensors[op.inputs[1]] = { ...weights, shape: [o, kh, kw, 3], data: float32Bytes(spread) };
    op.inputs[0] = rgb;
  } else if (op.op === BuiltinOperator.FULLY_CONNECTED && greyShape === "1,784") {
    // [units, 784] → [units, 2352]: pixel p's weight over its three channels (NHWC order).
    const [units] = weights.shape;
    const spread = new Float32Array(units * 2352);
    for (let u = 0; u < units; u++) {
      for (let p = 0; p < 784; p++)
        spread.fill(w[u * 784 + p] / 3, u * 2352 + 3 * p, u * 2352 + 3 * p + 3);
    }
    graph.tensors[op.inputs[1]] = { ...weights, shape: [units, 2352], data: float32Bytes(spread) };
    const before = graph.operators.length;
    const flat = addReshape(graph, rgb, [1, 2352], "rgb_input");
    const reshapeOp = graph.operators.splice(before, 1)[0];
    graph.operators.splice(first, 0, reshapeOp);
    op.inputs[0] = flat;
  } else {
    throw new UserError("the image-classifier target needs a first Dense or Conv2D layer");
  }
  return graph;
}
