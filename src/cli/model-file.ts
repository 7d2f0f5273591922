import { existsSync } from "node:fs";
import { Classifier } from "../recognize/classifier.ts";
import { parseInputRange } from "../recognize/input-range.ts";
import { LINE_READER_FILE, LineReader } from "../recognize/line-reader.ts";
import { nodeWasmRoot } from "../runtime/node-litert.ts";
import { UserError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import { readRegularFile } from "../util/read-file.ts";
import { MODELS_DIR } from "./default-model.ts";
import { convertInMemory, isImportable } from "./imported-model.ts";

/** The largest file read as a model. */
export const MAX_MODEL_FILE_BYTES = 512 * 2 ** 20;

/** The `--input-range` help line shared by predict and evaluate. */
export const INPUT_RANGE_HELP = `  --input-range R  the scale of the model's input, black to white: 0-1, 0-255 or -1-1
                   (write --input-range=-1-1); default: from the model's metadata or
                   quantization, else 0-1`;

/**
 * Opens a .tflite file (or a Keras / TF.js file, converted in memory) as a digit classifier, as `predict --model` and `evaluate` do: every
 * failure (unreadable, not a regular file, not a model, a model DigitKit cannot feed, or whose
 * answers are not ten probabilities) is one UserError naming the file.
 */
export async function openClassifier(path: string, inputRange?: string): Promise<Classifier> {
  const range = inputRange === undefined ? undefined : parseInputRange(inputRange);
  const bytes = isImportable(path)
    ? (await convertInMemory(path)).bytes
    : await readRegularFile(path, { maxBytes: MAX_MODEL_FILE_BYTES, what: "a model" });
  try {
    return await Classifier.load(bytes, nodeWasmRoot(), { inputRange: range });
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${printable(path)}: ${error.message}`);
    // The runtime's own words are not for users (they can be long or cryptic).
    throw new UserError(`${printable(path)}: not a usable .tflite model`);
  }
}

/**
 * The shipped line reader that checks the numbers the image splitter reads, whatever model reads
 * the digits; null where the models folder has none (a folder of one's own models).
 */
export async function openLineReader(): Promise<LineReader | null> {
  const path = `${MODELS_DIR}${LINE_READER_FILE}`;
  if (!existsSync(path)) return null;
  const bytes = await readRegularFile(path, { maxBytes: MAX_MODEL_FILE_BYTES, what: "a model" });
  try {
    return LineReader.fromTflite(bytes);
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${printable(path)}: ${error.message}`);
    throw new UserError(`${printable(path)}: not a usable line reader model`);
  }
}
