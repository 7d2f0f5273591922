import { decodeImage } from "../images/decode.ts";
import type { Classifier } from "../recognize/classifier.ts";
import type { LineReader } from "../recognize/line-reader.ts";
import { checksModel, isNotADigit } from "../recognize/not-a-digit.ts";
import { EmptyImageError } from "../recognize/result.ts";
import { ONLY_SHADING, readImageNumber } from "../recognize/split-image.ts";
import type { NumberReading, Result } from "../recognize/types.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import { FileError, readRegularFile } from "../util/read-file.ts";
import { parseCommandArgs } from "./args.ts";
import { defaultModelPath } from "./default-model.ts";
import { collectImageFiles } from "./image-files.ts";
import type { Command } from "./main.ts";
import { INPUT_RANGE_HELP, openClassifier, openLineReader } from "./model-file.ts";

const HELP = `Usage: digitkit predict IMAGE... [--model FILE] [--input-range R] [--json]

Reads the handwritten digit or number (one line of up to a dozen digits) in each image: PNG,
JPEG, BMP, GIF or WebP (told by the file's content, not its name), of any size, dark ink on light
paper or light on dark. A directory is walked (sorted, image extensions only). A number of
several digits is checked by the shipped line reader (models/line-reader/, when the models folder
has it), which reads the whole line and may replace digits that touch, whatever --model reads
the digits.

Options:
  --model FILE   the model to run (default: the best shipped one in models/, or in
                 $DIGITKIT_MODELS_DIR when set): any .tflite digit classifier with one image
                 input ([1,784], [1,28,28], [1,H,W,1]; float32, uint8 or int8) and ten classes,
                 or a Keras .keras / .h5 or TF.js model.json (converted in memory as digitkit
                 convert does)
${INPUT_RANGE_HELP}
  --json         one JSON object per line: {"file","digit","probability","probabilities","timeMs",
                 "notADigit","number","digits"} or {"file","error"}; digit… are the image read
                 as one digit (as before; null when that finds no ink but the number's parts
                 do), "notADigit" whether the ink looks like something other than a digit (the
                 app's "not sure" check; null for models it was not fitted to), "number" the
                 digits read left to right ("2026", or null with "unreadable": why, such as
                 marks that mostly do not look like digits), "digits" each one's
                 {digit,probability,probabilities,box}
  -h, --help     this help

A file that cannot be classified (unreadable, not a regular file, not an image, truncated, over
50 megapixels or too costly to decode, no ink) is reported on one line and the others are still
classified; the exit status is then 1. Names with control characters are printed escaped.`;

/**
 * The tutorial's log, for one image: the ten probabilities, then the verdict and the time; and
 * for an image of several digits, the number and each digit's probability.
 */
export function formatResult(
  file: string,
  result: Result | null,
  reading?: NumberReading,
  notADigit: boolean | null = null,
): string {
  const lines = [printable(file)];
  if (result) {
    result.probabilities.forEach((p, digit) => {
      lines.push(`  ${digit}: ${p.toFixed(6)}`);
    });
    lines.push(
      `  digit ${result.digit}, probability ${(result.probability * 100).toFixed(2)}%, time ${result.timeMs.toFixed(3)} ms`,
    );
    if (notADigit) lines.push(`  ${NOT_SURE_LINE}`);
  } else {
    lines.push("  digit: none, the whole image read as one digit shows no ink");
  }
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

/** What the text output adds when the ink does not look like a digit. */
export const NOT_SURE_LINE =
  "not sure this is a digit: the ink looks like something else (a letter, a scribble)";

/**
 * One line of --json: the one-digit fields as before, whether the ink looks like no digit, then
 * the number and its digits.
 */
export function formatJson(
  file: string,
  result: Result | null,
  reading?: NumberReading,
  notADigit: boolean | null = null,
): string {
  const { digit, probability, probabilities } = result ?? {
    digit: null,
    probability: null,
    probabilities: null,
  };
  const timeMs = result?.timeMs ?? reading?.timeMs;
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
  return JSON.stringify({
    file,
    digit,
    probability,
    probabilities,
    timeMs,
    notADigit,
    ...number,
  });
}

/** The largest file read as an image or a model (a 50-megapixel image fits many times over). */
export const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;

/**
 * Reads, decodes and classifies one file, as one digit and as a number; every failure becomes a
 * UserError with a reason.
 */
async function classifyFile(
  classifier: Classifier,
  lineReader: LineReader | null,
  file: string,
  checked: boolean,
): Promise<{ result: Result | null; reading: NumberReading; notADigit: boolean | null }> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, { maxBytes: MAX_IMAGE_FILE_BYTES, what: "an image" });
  } catch (error) {
    throw error instanceof FileError ? new UserError(error.reason) : error;
  }
  const image = await decodeImage(bytes);
  const reading = readImageNumber(image.data, image.width, image.height, classifier, {
    lineReader: lineReader ?? undefined,
    check: checked ? isNotADigit : undefined,
  });
  // Marks that are all shadow on the paper are no digit, whatever one digit's reading makes of them.
  if (reading.unreadable === ONLY_SHADING) throw new EmptyImageError(NO_INK_MESSAGE);
  const seen = classifier.classifyImage(image.data, image.width, image.height);
  if (seen) {
    const notADigit = checked ? isNotADigit(seen.input, seen.result.probabilities) : null;
    return { result: seen.result, reading, notADigit };
  }
  // The whole image read as one digit finds no ink, but its parts may still read as digits (a
  // wide sheet lit unevenly): the number is answered, and the one-digit fields are its one
  // digit, or null when it has several.
  if (reading.number === null) throw new EmptyImageError(NO_INK_MESSAGE);
  const only = reading.digits.length === 1 ? reading.digits[0] : null;
  return { result: only && { ...only, timeMs: reading.timeMs }, reading, notADigit: null };
}

/** What an image with no ink is told, with what to change. */
export const NO_INK_MESSAGE =
  "no digit found: no ink stands out from the paper (photograph it closer, dark ink on plain paper, evenly lit)";

export const command: Command = {
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      model: { type: "string" },
      "input-range": { type: "string" },
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
      const modelPath = values.model ?? defaultModelPath();
      const open = () => openClassifier(modelPath, values["input-range"]);
      // The not-a-digit check applies to the model it was fitted to, as in the app.
      const checked = checksModel(modelPath);
      return await predictAll(positionals, open, { json: values.json ?? false, checked }, write);
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
  openModel: () => Promise<Classifier>,
  { json, checked }: { json: boolean; checked: boolean },
  write: (line: string) => void,
): Promise<number> {
  const classifier = await openModel();
  const lineReader = await openLineReader();
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
        const { result, reading, notADigit } = await classifyFile(
          classifier,
          lineReader,
          entry.file,
          checked,
        );
        write(
          json
            ? formatJson(entry.file, result, reading, notADigit)
            : formatResult(entry.file, result, reading, notADigit),
        );
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        report(entry.file, error.message);
      }
    }
  } finally {
    classifier.dispose();
    lineReader?.dispose();
  }
  return failed > 0 ? 1 : 0;
}
