import { readFile } from "node:fs/promises";
import { decodeImage } from "../images/decode.ts";
import { Classifier } from "../recognize/classifier.ts";
import type { Result } from "../recognize/result.ts";
import { nodeWasmRoot } from "../runtime/node-litert.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { parseCommandArgs } from "./args.ts";
import { defaultModelPath } from "./default-model.ts";
import { collectImageFiles, describeFsError } from "./image-files.ts";
import { convertInMemory, isImportable } from "./imported-model.ts";
import type { Command } from "./main.ts";

const HELP = `Usage: digitkit predict IMAGE... [--model FILE] [--json]

Classifies the handwritten digit in each image: PNG, JPEG, BMP, GIF or WebP (told by the file's
content, not its name), of any size, dark ink on light paper or light on dark. A directory is
walked (sorted, image extensions only).

Options:
  --model FILE   the model to run: a .tflite, or a Keras .keras / .h5 or TF.js model.json
                 (converted in memory as digitkit convert does) (default: the best shipped
                 one in models/, or in $DIGITKIT_MODELS_DIR when set)
  --json         one JSON object per line: {"file","digit","probability","probabilities","timeMs"}
                 or {"file","error"}
  -h, --help     this help

A file that cannot be classified (unreadable, not an image, truncated, over 50 megapixels, no
ink) is reported on one line and the others are still classified; the exit status is then 1.`;

/** The tutorial's log, for one image: the ten probabilities, then the verdict and the time. */
export function formatResult(file: string, result: Result): string {
  const lines = [file];
  result.probabilities.forEach((p, digit) => {
    lines.push(`  ${digit}: ${p.toFixed(6)}`);
  });
  lines.push(
    `  digit ${result.digit}, probability ${(result.probability * 100).toFixed(2)}%, time ${result.timeMs.toFixed(3)} ms`,
  );
  return lines.join("\n");
}

export function formatJson(file: string, result: Result): string {
  const { digit, probability, probabilities, timeMs } = result;
  return JSON.stringify({ file, digit, probability, probabilities, timeMs });
}

async function loadClassifier(path: string): Promise<Classifier> {
  let bytes: Uint8Array;
  try {
    bytes = isImportable(path) ? (await convertInMemory(path)).bytes : await readFile(path);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${path}: ${describeFsError(error)}`);
  }
  try {
    return await Classifier.load(bytes, nodeWasmRoot());
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${path}: ${error.message}`);
    const reason = (error as Error).message.split("\n")[0];
    throw new UserError(`${path}: not a usable .tflite model (${reason})`);
  }
}

/** Reads, decodes and classifies one file; every failure becomes a UserError with a reason. */
async function classifyFile(classifier: Classifier, file: string): Promise<Result> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(describeFsError(error));
  }
  const image = await decodeImage(bytes);
  return classifier.classify(image.data, image.width, image.height);
}

export const command: Command = {
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      model: { type: "string" },
      json: { type: "boolean" },
    });
    if (positionals.length === 0) {
      throw new UsageError("give at least one IMAGE (see digitkit predict --help)");
    }
    const classifier = await loadClassifier(values.model ?? defaultModelPath());
    let failed = 0;
    const report = (file: string, error: string) => {
      failed++;
      if (values.json) console.log(JSON.stringify({ file, error }));
      else console.error(`digitkit predict: ${file}: ${error}`);
    };
    try {
      for (const entry of await collectImageFiles(positionals)) {
        if ("error" in entry) {
          report(entry.file, entry.error);
          continue;
        }
        try {
          const result = await classifyFile(classifier, entry.file);
          console.log(
            values.json ? formatJson(entry.file, result) : formatResult(entry.file, result),
          );
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          report(entry.file, error.message);
        }
      }
    } finally {
      classifier.dispose();
    }
    return failed > 0 ? 1 : 0;
  },
};
