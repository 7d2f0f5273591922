import { float32Bytes, type GraphSpec } from "../../tflite/graph.ts";
import { BuiltinOperator } from "../../tflite/schema.ts";
import { UserError } from "../../util/errors.ts";
import { activation, applyFused, fusedSuffix, splitActivation } from "./activation.ts";
import { constant, type ExportOp, type LayerSource, outputTensor } from "./op.ts";

/** Dense → FULLY_CONNECTED, weights transposed to TFLite's [units, inputs]. */
function convertDense(graph: GraphSpec, layer: LayerSource, input: number): number {
  const { name, config } = layer;
  const inShape = graph.tensors[input].shape;
  if (inShape.length !== 2) {
    throw new UserError(
      `layer "${name}": Dense on a rank-${inShape.length} input is not supported`,
    );
  }
  const [kernel, bias] = layer.weights;
  const [inputs, units] = kernel.shape;
  // TF.js stores [inputs, units]; TFLite's FULLY_CONNECTED wants [units, inputs].
  const transposed = new Float32Array(units * inputs);
  for (let i = 0; i < inputs; i++) {
    for (let u = 0; u < units; u++) transposed[u * inputs + i] = kernel.values[i * units + u];
  }
  const w = constant(graph, {
    name: `${name}/kernel`,
    shape: [units, inputs],
    data: float32Bytes(transposed),
  });
  const b = bias
    ? constant(graph, { name: `${name}/bias`, shape: [units], data: float32Bytes(bias.values) })
    : -1;
  const { fused, after } = splitActivation(config);
  const out = outputTensor(graph, `${name}/${fusedSuffix(fused)}`, [1, units]);
  graph.operators.push({
    op: BuiltinOperator.FULLY_CONNECTED,
    version: 1,
    inputs: [input, w, b],
    outputs: [out],
    options: { kind: "fullyConnected", activation: fused },
  });
  return activation(graph, out, after, name);
}

export const fullyConnectedOp: ExportOp = {
  code: BuiltinOperator.FULLY_CONNECTED,
  layers: { Dense: convertDense },
  reference(op, values, shapeOf) {
    if (op.options.kind !== "fullyConnected") throw new Error("FULLY_CONNECTED without options");
    const x = values[op.inputs[0]];
    const w = values[op.inputs[1]];
    const b = op.inputs[2] >= 0 ? values[op.inputs[2]] : undefined;
    const [units, inputs] = shapeOf(op.inputs[1]);
    const out = new Float32Array(units);
    for (let u = 0; u < units; u++) {
      let sum = b ? b[u] : 0;
      const row = u * inputs;
      for (let i = 0; i < inputs; i++) sum += w[row + i] * x[i];
      out[u] = sum;
    }
    return applyFused(out, op.options.activation);
  },
  weightInputs: [1, 2],
  hybridVersion: 3,
  int8(op, pass) {
    pass.quantizeWeightsAndBias(op, pass.perChannelDense);
    pass.params.set(op.outputs[0], pass.calibrated(op.outputs[0]));
    op.version = 4;
  },
};
