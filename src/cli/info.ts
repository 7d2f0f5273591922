import { giveOutputShapes } from "../runtime/give-output-shape.ts";
import { describeModel, formatDescription } from "../tflite/describe.ts";
import { readTflite } from "../tflite/reader.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { readRegularFile } from "../util/read-file.ts";
import { parseCommandArgs } from "./args.ts";
import { convertInMemory, isImportable } from "./imported-model.ts";
import { feedingOf, formatFeeding } from "./info-feeding.ts";
import type { Command } from "./main.ts";
import { MAX_MODEL_FILE_BYTES } from "./model-file.ts";

const help = `Usage: digitkit info FILE [--json]

Describes a TensorFlow Lite model: schema version, size, operators and their versions (checked
against TFLite's versioning rules), min_runtime_version, TFLite Metadata (name, author, license,
input image properties and normalization, output labels) and the files zipped onto the model,
tensors (name, type, shape, quantization), inputs and outputs, and whether and how \`predict\`
will feed it (or why not). A Keras .keras / .h5 or TF.js model.json is converted in memory first
(as digitkit convert does): its conversion summary comes first, then the description of the
float32 .tflite it becomes (with --json, the description only). The file is validated on the way
(identifier, every offset and vector in bounds, buffer and tensor indices, tensor sizes against
their data, known operators); a file that is not a valid model is a one-line error, exit status 1.
An output written without a shape is shown with the shape its producing op gives it.

Options:
  --json       print the description as one JSON object
  -h, --help   show this help`;

/** Describes the bytes of a .tflite file; throws a one-line UserError for an invalid one. */
export function infoText(bytes: Uint8Array, path: string, json: boolean): string {
  let file: ReturnType<typeof readTflite>;
  try {
    file = readTflite(giveOutputShapes(bytes));
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${path}: ${error.message}`);
    throw error;
  }
  const description = describeModel(file, path, bytes);
  const feeding = feedingOf(bytes);
  return json
    ? JSON.stringify({ ...description, digitkit: feeding })
    : `${formatDescription(description)}\n${formatFeeding(feeding)}`;
}

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      json: { type: "boolean" },
    });
    if (positionals.length !== 1) {
      throw new UsageError("give one FILE.tflite (see digitkit info --help)");
    }
    const path = positionals[0];
    if (isImportable(path)) {
      const { bytes, summary } = await convertInMemory(path);
      if (!values.json) for (const line of summary) console.log(line);
      console.log(infoText(bytes, path, values.json ?? false));
      return 0;
    }
    // Only a regular file, size-checked first: a FIFO or /dev/zero is refused, not waited on.
    const bytes = await readRegularFile(path, { maxBytes: MAX_MODEL_FILE_BYTES, what: "a model" });
    console.log(infoText(bytes, path, values.json ?? false));
    return 0;
  },
};
