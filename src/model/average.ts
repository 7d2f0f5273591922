import * as tf from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";

/** The shapes of a model's weights, in order: two models with the same list can be averaged. */
function weightShapes(model: LayersModel): string {
  return model
    .getWeights()
    .map((w) => w.shape.join("x"))
    .join(",");
}

/**
 * Sets the last model's weights to the element-wise mean of all the models' weights (checkpoints
 * of one run after different epochs). Returns the index of the first model that is not the same
 * network as the first (nothing is changed then), or -1 once averaged.
 */
export function averageIntoLast(models: LayersModel[]): number {
  const first = weightShapes(models[0]);
  const differs = models.findIndex((m) => weightShapes(m) !== first);
  if (differs >= 0) return differs;
  const all = models.map((m) => m.getWeights());
  const mean = all[0].map((_, k) =>
    tf.tidy(() => tf.div(tf.addN(all.map((weights) => weights[k])), models.length)),
  );
  models[models.length - 1].setWeights(mean);
  for (const t of mean) t.dispose();
  return -1;
}
