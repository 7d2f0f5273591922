// Numbers of other people's digits in images: MNIST's test digits 5,000–9,999 (never trained or
// tuned on: MNIST_CHECK_DIGITS) laid out as numbers and photographed on paper as the pendigits
// scans are (scripts/lib/mnist-lines.ts), then read in Node as `digitkit predict` reads a file:
// the image splitter with the line reader and the not-a-digit check. Run: npm run
// eval:mnist-numbers -- --help
import { readFileSync } from "node:fs";
import { intOption, parseCommandArgs } from "../src/cli/args.ts";
import { defaultModelPath, MODELS_DIR } from "../src/cli/default-model.ts";
import { loadMnist } from "../src/data/mnist.ts";
import { Classifier } from "../src/recognize/classifier.ts";
import { LINE_GROUPINGS, LINE_READER_FILE, LineReader } from "../src/recognize/line-reader.ts";
import { isNotADigit } from "../src/recognize/not-a-digit.ts";
import { readImageNumber } from "../src/recognize/split-image.ts";
import { nodeWasmRoot } from "../src/runtime/node-litert.ts";
import { REALISTIC, TOUCHING } from "../src/strokes/number.ts";
import { createRng } from "../src/util/rng.ts";
import { datasetPart, MNIST_CHECK_DIGITS, randomBitmapNumberScan } from "./lib/mnist-lines.ts";
import { runScript } from "./lib/run-script.ts";

const HELP = `Usage: npm run eval:mnist-numbers -- [options]

Reads numbers of MNIST's test digits 5,000–9,999 (digits of other people than pendigits' writers,
never trained or tuned on), laid out left to right as eval:strokes lays out pen digits and
photographed on paper as its scans are, with the default model, the line reader and the
not-a-digit check, and prints per length the numbers read entirely right, and how many the
splitter alone reads.

Options:
  --numbers L,L…   lengths of the numbers (default 4,8; at most 12)
  --count N        numbers of each length (default 200)
  --touching       gaps from a 15% overlap to touching only (default: from that to wide)
  --groupings N    how many of the splitter's best groupings the line reader chooses among
                   (default ${LINE_GROUPINGS}; 1: the splitter's first)
  --seed N         which digits and how they are laid out (default 1)
  -h, --help       this help`;

async function main(): Promise<number> {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    numbers: { type: "string" },
    count: { type: "string" },
    touching: { type: "boolean" },
    groupings: { type: "string" },
    seed: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const lengths = (values.numbers ?? "4,8")
    .split(",")
    .map((v) => intOption("numbers", v, 1, 1, 12));
  const count = intOption("count", values.count, 200, 1);
  const groupings = intOption("groupings", values.groupings, LINE_GROUPINGS, 1);
  const rng = createRng(intOption("seed", values.seed, 1, 0));
  const digits = datasetPart((await loadMnist()).test, MNIST_CHECK_DIGITS, 10000);
  const classifier = await Classifier.load(readFileSync(defaultModelPath()), nodeWasmRoot());
  const lineReader = LineReader.fromTflite(readFileSync(`${MODELS_DIR}${LINE_READER_FILE}`));
  try {
    const kind = values.touching ? "touching" : "spaced";
    console.log(
      `numbers of MNIST's test digits 5,000–9,999, ${kind}, ${groupings} grouping(s) to choose among:`,
    );
    console.log("  digits      n   entirely right   splitter alone");
    for (const length of lengths) {
      let right = 0;
      let alone = 0;
      for (let n = 0; n < count; n++) {
        const ranges = values.touching ? TOUCHING : REALISTIC;
        const scan = randomBitmapNumberScan(digits, length, rng, ranges);
        const want = scan.labels.join("");
        const read = (withReader: boolean) =>
          readImageNumber(
            scan.rgba,
            scan.width,
            scan.height,
            classifier,
            withReader ? { lineReader, check: isNotADigit, groupings } : {},
          ).number;
        if (read(true) === want) right++;
        if (read(false) === want) alone++;
      }
      const share = (k: number) => `${((100 * k) / count).toFixed(1)}%`.padStart(15);
      console.log(
        `  ${String(length).padStart(6)} ${String(count).padStart(6)} ${share(right)}  ${share(alone)}`,
      );
    }
  } finally {
    lineReader.dispose();
    classifier.dispose();
  }
  return 0;
}

runScript("eval:mnist-numbers", main);
