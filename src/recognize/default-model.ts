/**
 * The shipped models, best at real handwriting first: the first one present is what `predict`
 * and the app use when no model is named, so both give the same answer for the same pixels.
 */
export const PREFERRED_MODELS = ["mnist_cnn.tflite", "mnist_mlp.tflite"] as const;

/** The default among the given model files: the first preferred one there, else the first. */
export function pickDefaultModel(files: readonly string[]): string | null {
  return PREFERRED_MODELS.find((name) => files.includes(name)) ?? files[0] ?? null;
}
