import type { Hdf5File } from "./hdf5.ts";
import { ImportError } from "./import-error.ts";
import type { ImportedLayer } from "./layers.ts";

/**
 * Finds each layer's weights in the HDF5 layouts Keras writes, checking each against the shape
 * the layer needs before it is read:
 * - Keras 2 / tf.keras, and the legacy `.h5` of Keras 3: a group per layer (under
 *   `model_weights` in a full model, at the root in a `save_weights` file) whose `weight_names`
 *   attribute lists its datasets in the layer's order;
 * - Keras 3 (`model.weights.h5` inside a `.keras`, or a `.weights.h5`): `layers/<path>/vars/<i>`,
 *   where the path is the layer class in snake case with a counter (`dense`, `dense_1`), as
 *   Keras's saving_lib names it, else the layer's name; tf.keras 2.13–2.15 wrote
 *   `_layer_checkpoint_dependencies/` instead of `layers/`.
 */

function needsWeights(layer: ImportedLayer): boolean {
  return layer.weightShapes.length > 0;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== "" && p !== "/").join("/");
}

function readGroupWeights(h5: Hdf5File, group: string, layer: ImportedLayer): void {
  const names = h5.stringListAttribute(group, "weight_names");
  if (!names) throw new ImportError(`the file has no weight list for layer "${layer.name}"`);
  if (names.length !== layer.weightShapes.length) {
    throw new ImportError(
      `layer "${layer.name}" (${layer.className}) has ${names.length} weights in the file, its configuration needs ${layer.weightShapes.length} (${layer.weightShapes.map((w) => w.name).join(", ")})`,
    );
  }
  layer.weights = layer.weightShapes.map(({ shape }, i) => ({
    shape,
    values: h5.readFloats(join(group, names[i]), shape),
  }));
}

/** Keras 2 layout: `root/<layer name>/` with `weight_names`. */
export function readKeras2Weights(h5: Hdf5File, root: string, layers: ImportedLayer[]): void {
  for (const layer of layers.filter(needsWeights)) {
    const group = join(root, layer.name);
    if (!h5.hasGroup(group))
      throw new ImportError(`the file has no weights for layer "${layer.name}"`);
    readGroupWeights(h5, group, layer);
  }
}

/** Keras's `to_snake_case`: Conv2D → conv2d, BatchNormalization → batch_normalization. */
export function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** Keras 3 layout: `layers/<snake name with counter>/vars/<i>`. */
export function readKeras3Weights(h5: Hdf5File, layers: ImportedLayer[]): void {
  const prefix = ["layers", "_layer_checkpoint_dependencies"].find((p) => h5.hasGroup(p));
  if (!prefix) throw new ImportError("the weights file has no layers/ group");
  const used = new Map<string, number>();
  for (const layer of layers) {
    const snake = snakeCase(layer.className);
    const n = used.get(snake);
    used.set(snake, n === undefined ? 0 : n + 1);
    if (!needsWeights(layer)) continue;
    const byClass = n === undefined ? snake : `${snake}_${n + 1}`;
    const path = [byClass, layer.name]
      .map((p) => join(prefix, p, "vars"))
      .find((p) => h5.hasGroup(p));
    if (!path) throw new ImportError(`the file has no weights for layer "${layer.name}"`);
    const stored = h5.keys(path).length;
    if (stored !== layer.weightShapes.length) {
      throw new ImportError(
        `layer "${layer.name}" (${layer.className}) has ${stored} weights in the file, its configuration needs ${layer.weightShapes.length}`,
      );
    }
    layer.weights = layer.weightShapes.map(({ shape }, i) => ({
      shape,
      values: h5.readFloats(join(path, String(i)), shape),
    }));
  }
}

/**
 * A weights-only Keras 2 file (`save_weights`: root attribute `layer_names`, no configuration)
 * onto an architecture named by the user: the file's layers that hold weights, in order, onto
 * the architecture's, each checked for the same shapes.
 */
export function readWeightsByPosition(h5: Hdf5File, layers: ImportedLayer[]): void {
  const names = h5.stringListAttribute("", "layer_names");
  if (!names) {
    readKeras3Weights(h5, layers);
    return;
  }
  const stored = names.filter((n) => (h5.stringListAttribute(n, "weight_names") ?? []).length > 0);
  const wanted = layers.filter(needsWeights);
  const describe = (shapes: number[][]) => shapes.map((s) => s.join("×")).join(", ");
  const fileShapes = stored.map((n) => {
    const weightNames = h5.stringListAttribute(n, "weight_names") ?? [];
    return h5.datasetShape(join(n, weightNames[0])) ?? [];
  });
  const modelShapes = wanted.map((l) => l.weightShapes[0].shape);
  if (
    stored.length !== wanted.length ||
    fileShapes.some((s, i) => s.join(",") !== modelShapes[i].join(","))
  ) {
    throw new ImportError(
      `the file's weight layers (${describe(fileShapes)}) do not fit the architecture (${describe(modelShapes)})`,
    );
  }
  wanted.forEach((layer, i) => {
    readGroupWeights(h5, stored[i], layer);
  });
}
