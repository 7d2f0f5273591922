import type { LayersModel } from "@tensorflow/tfjs-layers";
import { addTensor, type GraphSpec } from "../tflite/graph.ts";
import { TensorType } from "../tflite/schema.ts";
import { UserError } from "../util/errors.ts";
import type { WeightArray } from "./ops/op.ts";
import { layerConverter } from "./ops/registry.ts";

/**
 * Converts a TF.js sequential Layers model into a float32 TFLite graph, batch size 1, one layer
 * at a time through the converters of ops/registry.ts: Dense → FULLY_CONNECTED, Conv2D →
 * CONV_2D, MaxPooling2D → MAX_POOL_2D, Flatten/Reshape → RESHAPE, Dropout → nothing (identity at
 * inference), ReLU/ReLU6 fused into the op before them, softmax a SOFTMAX op of its own. The CNN
 * keeps its NHWC input [1,28,28,1]; its 784 values are laid out exactly like the MLP's [1,784]
 * input, so one input array feeds either.
 */
export function convertLayersModel(model: LayersModel, description = ""): GraphSpec {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError("only models with one input and one output can be exported");
  }
  const graph: GraphSpec = { tensors: [], operators: [], inputs: [], outputs: [], description };
  const inputShape = [1, ...model.inputs[0].shape.slice(1).map((d) => d ?? 1)];
  let current = addTensor(graph, {
    name: model.inputs[0].name.replace(/:\d+$/, ""),
    shape: inputShape,
    type: TensorType.FLOAT32,
  });
  graph.inputs.push(current);

  for (const layer of model.layers) {
    const className = layer.getClassName();
    const convert = layerConverter(className, layer.name);
    current = convert(
      graph,
      {
        name: layer.name,
        className,
        config: layer.getConfig() as Record<string, unknown>,
        weights: layer.getWeights().map(readTensor),
      },
      current,
    );
  }
  graph.outputs.push(current);
  return graph;
}

function readTensor(t: { shape: number[]; dataSync(): unknown }): WeightArray {
  return { shape: t.shape.slice(), values: new Float32Array(t.dataSync() as Float32Array) };
}
