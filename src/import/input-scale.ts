import type { ImportedLayer } from "./layers.ts";

/**
 * What a Keras model expects for white: a model whose first computing layer is Rescaling by
 * about 1/255 (or 1/127.5, the −1…1 recipe) was trained on raw pixel bytes, 0–255, and divides
 * them itself; any other model takes DigitKit's contract, byte / 255 (0–1). The converted file
 * keeps the Keras model's own contract (so it computes what Keras computes on the same input) and
 * says so in its metadata, from which predict and the app know to feed it 0–255.
 */
export function expectedInputMax(layers: readonly ImportedLayer[]): 1 | 255 {
  const first = layers.find((l) => l.spec.kind !== "input" && l.spec.kind !== "noop");
  if (first?.spec.kind !== "rescaling") return 1;
  const span = Math.abs(first.spec.scale) * 255;
  return span >= 0.5 && span <= 2.5 ? 255 : 1;
}
