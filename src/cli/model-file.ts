import { readFile } from "node:fs/promises";
import { Classifier } from "../recognize/classifier.ts";
import { parseInputRange } from "../recognize/input-range.ts";
import { nodeWasmRoot } from "../runtime/node-litert.ts";
import { UserError } from "../util/errors.ts";
import { describeFsError } from "./image-files.ts";

/** The `--input-range` help line shared by predict and evaluate. */
export const INPUT_RANGE_HELP = `  --input-range R  the scale of the model's input, black to white: 0-1, 0-255 or -1-1
                   (write --input-range=-1-1); default: from the model's metadata or
                   quantization, else 0-1`;

/**
 * Opens a .tflite file as a digit classifier, as `predict --model` and `evaluate` do: every
 * failure (unreadable, not a model, a model DigitKit cannot feed, or whose answers are not ten
 * probabilities) is one UserError naming the file.
 */
export async function openClassifier(path: string, inputRange?: string): Promise<Classifier> {
  const range = inputRange === undefined ? undefined : parseInputRange(inputRange);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new UserError(`${path}: ${describeFsError(error)}`);
  }
  try {
    return await Classifier.load(bytes, nodeWasmRoot(), { inputRange: range });
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${path}: ${error.message}`);
    const reason = (error as Error).message.split("\n")[0];
    throw new UserError(`${path}: not a usable .tflite model (${reason})`);
  }
}
