import { decodeImage } from "../images/decode.ts";
import { Classifier } from "../recognize/classifier.ts";
import type { Result } from "../recognize/result.ts";
import { nodeWasmRoot } from "../runtime/node-litert.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import { FileError, readRegularFile } from "../util/read-file.ts";
import { parseCommandArgs } from "./args.ts";
import { defaultModelPath } from "./default-model.ts";
import { collectImageFiles } from "./image-files.ts";
import type { Command } from "./main.ts";

const HELP = `Usage: digitkit predict IMAGE... [--model FILE.tflite] [--json]

Classifies the handwritten digit in each image: PNG, JPEG, BMP, GIF or WebP (told by the file's
content, not its name), of any size, dark ink on light paper or light on dark. A directory is
walked (sorted, image extensions only).

Options:
  --model FILE   the .tflite model to run (default: the best shipped one in models/,
                 or in $DIGITKIT_MODELS_DIR when set)
  --json         one JSON object per line: {"file","digit","probability","probabilities","timeMs"}
                 or {"file","error"}
  -h, --help     this help

A file that cannot be classified (unreadable, not a regular file, not an image, truncated, over
50 megapixels or too costly to decode, no ink) is reported on one line and the others are still
classified; the exit status is then 1. Names with control characters are printed escaped.`;

/** The tutorial's log, for one image: the ten probabilities, then the verdict and the time. */
export function formatResult(file: string, result: Result): string {
  const lines = [printable(file)];
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

/** The largest file read as an image or a model (a 50-megapixel image fits many times over). */
export const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;
const MAX_MODEL_FILE_BYTES = 512 * 2 ** 20;

async function loadClassifier(path: string): Promise<Classifier> {
  const bytes = await readRegularFile(path, { maxBytes: MAX_MODEL_FILE_BYTES, what: "a model" });
  try {
    return await Classifier.load(bytes, nodeWasmRoot());
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${printable(path)}: ${error.message}`);
    // The runtime's own words are not for users (they can be long or cryptic).
    throw new UserError(`${printable(path)}: not a usable .tflite model`);
  }
}

/** Reads, decodes and classifies one file; every failure becomes a UserError with a reason. */
async function classifyFile(classifier: Classifier, file: string): Promise<Result> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, { maxBytes: MAX_IMAGE_FILE_BYTES, what: "an image" });
  } catch (error) {
    throw error instanceof FileError ? new UserError(error.reason) : error;
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
    // stdout carries the results alone: whatever a library prints (a runtime's log line, a
    // decoder's warning) goes to stderr, so that --json output stays one JSON object a line.
    const write = (line: string) => process.stdout.write(`${line}\n`);
    const restore = divertConsoleToStderr();
    try {
      return await predictAll(positionals, values.model, values.json ?? false, write);
    } finally {
      restore();
    }
  },
};

/** Sends console.log/info/debug to stderr; returns what puts them back. */
function divertConsoleToStderr(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  const toStderr = (...args: unknown[]) => console.error(...args);
  Object.assign(console, { log: toStderr, info: toStderr, debug: toStderr });
  return () => Object.assign(console, saved);
}

async function predictAll(
  positionals: string[],
  model: string | undefined,
  json: boolean,
  write: (line: string) => void,
): Promise<number> {
  const classifier = await loadClassifier(model ?? defaultModelPath());
  let failed = 0;
  const report = (file: string, error: string) => {
    failed++;
    if (json) write(JSON.stringify({ file, error }));
    else console.error(`digitkit predict: ${printable(file)}: ${error}`);
  };
  try {
    for (const entry of await collectImageFiles(positionals)) {
      if ("error" in entry) {
        report(entry.file, entry.error);
        continue;
      }
      try {
        const result = await classifyFile(classifier, entry.file);
        write(json ? formatJson(entry.file, result) : formatResult(entry.file, result));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        report(entry.file, error.message);
      }
    }
  } finally {
    classifier.dispose();
  }
  return failed > 0 ? 1 : 0;
}
