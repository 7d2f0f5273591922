import { readFile } from "node:fs/promises";
import { decodeImage } from "../images/decode.ts";
import { Classifier } from "../recognize/classifier.ts";
import { readImageNumber } from "../recognize/split-image.ts";
import type { NumberReading, Result } from "../recognize/types.ts";
import { nodeWasmRoot } from "../runtime/node-litert.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { parseCommandArgs } from "./args.ts";
import { defaultModelPath } from "./default-model.ts";
import { collectImageFiles, describeFsError } from "./image-files.ts";
import type { Command } from "./main.ts";

const HELP = `Usage: digitkit predict IMAGE... [--model FILE.tflite] [--json]

Reads the handwritten digit or number (one line of up to a dozen digits) in each image: PNG,
JPEG, BMP, GIF or WebP (told by the file's content, not its name), of any size, dark ink on light
paper or light on dark. A directory is walked (sorted, image extensions only).

Options:
  --model FILE   the .tflite model to run (default: the best shipped one in models/,
                 or in $DIGITKIT_MODELS_DIR when set)
  --json         one JSON object per line: {"file","digit","probability","probabilities","timeMs",
                 "number","digits"} or {"file","error"}; digit… are the image read as one digit
                 (as before), "number" the digits read left to right ("2026", or null with
                 "unreadable": why), "digits" each one's {digit,probability,probabilities,box}
  -h, --help     this help

A file that cannot be classified (unreadable, not an image, truncated, over 50 megapixels, no
ink) is reported on one line and the others are still classified; the exit status is then 1.`;

/**
 * The tutorial's log, for one image: the ten probabilities, then the verdict and the time; and
 * for an image of several digits, the number and each digit's probability.
 */
export function formatResult(file: string, result: Result, reading?: NumberReading): string {
  const lines = [file];
  result.probabilities.forEach((p, digit) => {
    lines.push(`  ${digit}: ${p.toFixed(6)}`);
  });
  lines.push(
    `  digit ${result.digit}, probability ${(result.probability * 100).toFixed(2)}%, time ${result.timeMs.toFixed(3)} ms`,
  );
  if (reading && reading.number === null) {
    lines.push(`  number: none, the ink cannot be read as digits (${reading.unreadable})`);
  } else if (reading && reading.digits.length > 1) {
    const digits = reading.digits.map((d) => `${d.digit} ${(d.probability * 100).toFixed(1)}%`);
    lines.push(
      `  number ${reading.number}, probability ${(reading.probability * 100).toFixed(2)}% (${digits.join(", ")})`,
    );
  }
  return lines.join("\n");
}

/** One line of --json: the one-digit fields as before, then the number and its digits. */
export function formatJson(file: string, result: Result, reading?: NumberReading): string {
  const { digit, probability, probabilities, timeMs } = result;
  const number = reading && {
    number: reading.number,
    digits: reading.digits.map((d) => ({
      digit: d.digit,
      probability: d.probability,
      probabilities: d.probabilities,
      box: d.box,
    })),
    ...(reading.number === null ? { unreadable: reading.unreadable } : {}),
  };
  return JSON.stringify({ file, digit, probability, probabilities, timeMs, ...number });
}

async function loadClassifier(path: string): Promise<Classifier> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
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

/**
 * Reads, decodes and classifies one file, as one digit and as a number; every failure becomes a
 * UserError with a reason.
 */
async function classifyFile(
  classifier: Classifier,
  file: string,
): Promise<{ result: Result; reading: NumberReading }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(describeFsError(error));
  }
  const image = await decodeImage(bytes);
  const result = classifier.classify(image.data, image.width, image.height);
  return { result, reading: readImageNumber(image.data, image.width, image.height, classifier) };
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
          const { result, reading } = await classifyFile(classifier, entry.file);
          console.log(
            values.json
              ? formatJson(entry.file, result, reading)
              : formatResult(entry.file, result, reading),
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
