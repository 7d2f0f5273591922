import * as tf from "@tensorflow/tfjs-layers";

export type Architecture = "mlp" | "cnn";
export const ARCHITECTURES: readonly Architecture[] = ["mlp", "cnn"];

export interface BuildOptions {
  /** Dropout rate after each hidden block (the original Keras example used 0.2); 0 = none. */
  dropout?: number;
  /** Seeds the weight initializers: same seed, same initial weights. */
  seed?: number;
}

/** Each layer gets its own seed derived from the run's seed, so layers differ but runs repeat. */
function initializer(seed: number | undefined, index: number) {
  return tf.initializers.glorotUniform({
    seed: seed === undefined ? undefined : seed * 101 + index,
  });
}

/**
 * The network of "From Keras to ML Kit": 784 → Dense 512 relu → Dense 512 relu → Dense 10
 * softmax (669,706 parameters). `dropout` adds the two Dropout layers of the Keras example.
 */
function buildMlp({ dropout = 0, seed }: BuildOptions): tf.LayersModel {
  const model = tf.sequential({ name: "mnist_mlp" });
  model.add(
    tf.layers.dense({
      name: "dense_1",
      inputShape: [784],
      units: 512,
      activation: "relu",
      kernelInitializer: initializer(seed, 1),
    }),
  );
  if (dropout > 0) model.add(tf.layers.dropout({ name: "dropout_1", rate: dropout }));
  model.add(
    tf.layers.dense({
      name: "dense_2",
      units: 512,
      activation: "relu",
      kernelInitializer: initializer(seed, 2),
    }),
  );
  if (dropout > 0) model.add(tf.layers.dropout({ name: "dropout_2", rate: dropout }));
  model.add(
    tf.layers.dense({
      name: "dense_3",
      units: 10,
      activation: "softmax",
      kernelInitializer: initializer(seed, 3),
    }),
  );
  return model;
}

/**
 * A small CNN (two 3×3 conv + max-pool blocks, Dense 128, Dense 10): about 225k parameters,
 * cheap enough to train on two cores in minutes, and over 99% on MNIST.
 */
function buildCnn({ dropout = 0, seed }: BuildOptions): tf.LayersModel {
  const model = tf.sequential({ name: "mnist_cnn" });
  model.add(
    tf.layers.conv2d({
      name: "conv2d_1",
      inputShape: [28, 28, 1],
      filters: 32,
      kernelSize: 3,
      activation: "relu",
      kernelInitializer: initializer(seed, 1),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: "max_pooling2d_1", poolSize: 2 }));
  model.add(
    tf.layers.conv2d({
      filters: 64,
      kernelSize: 3,
      activation: "relu",
      kernelInitializer: initializer(seed, 2),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: "max_pooling2d_2", poolSize: 2 }));
  model.add(tf.layers.flatten({ name: "flatten_1" }));
  model.add(
    tf.layers.dense({
      name: "dense_1",
      units: 128,
      activation: "relu",
      kernelInitializer: initializer(seed, 3),
    }),
  );
  if (dropout > 0) model.add(tf.layers.dropout({ name: "dropout_1", rate: dropout }));
  model.add(
    tf.layers.dense({
      name: "dense_2",
      units: 10,
      activation: "softmax",
      kernelInitializer: initializer(seed, 4),
    }),
  );
  return model;
}

export function buildModel(arch: Architecture, options: BuildOptions = {}): tf.LayersModel {
  return arch === "cnn" ? buildCnn(options) : buildMlp(options);
}

/** The shape of one input sample: flat pixels for the MLP, an image for the CNN. */
export function inputShapeOf(model: tf.LayersModel): number[] {
  return model.inputs[0].shape.slice(1).map((d) => d ?? 1);
}
