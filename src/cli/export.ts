import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { EXPORT_TARGETS, exportModel } from "../export/export.ts";
import { loadCheckpoint } from "../model/checkpoint.ts";
import { nodeWasmRoot } from "../runtime/node-litert.ts";
import { useWasmBackend } from "../train/engines/tfjs-wasm-backend.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import { choiceOption, parseCommandArgs } from "./args.ts";
import type { Command } from "./main.ts";
import {
  calibrationFor,
  checkOut,
  parseTfliteOptions,
  TFLITE_OPTIONS,
  TFLITE_OPTIONS_HELP,
  writeTflite,
} from "./tflite-options.ts";

const help = `Usage: digitkit export CHECKPOINT --out FILE.tflite [options]

Writes a trained checkpoint (TF.js layers format: model.json + weights.bin) as a TensorFlow Lite
model. Float32 input and output (uint8 with --quantize int8 --io uint8): the MLP takes [1,784],
the CNN [1,28,28,1] (the same 784 values), both give [1,10] softmax probabilities. Every operator has the version
TFLite's rules give it and the file records the oldest runtime that can run it
(min_runtime_version); TFLite Metadata (name, input normalization, labels.txt zipped onto the
end) lets Google's tools read it.

Options:
${TFLITE_OPTIONS_HELP}
  --target T            digit (default): the grey input above; image-classifier: a [1,28,28,3]
                        RGB input (the first layer averages the channels) that ML Kit, MediaPipe
                        and the Task Library's ImageClassifier take as it is
  -h, --help            show this help`;

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      ...TFLITE_OPTIONS,
      target: { type: "string" },
    });
    if (positionals.length !== 1) {
      throw new UsageError("give one CHECKPOINT folder (see digitkit export --help)");
    }
    const options = parseTfliteOptions(values);
    const { out, quantize, io } = options;
    const target = choiceOption("target", values.target, EXPORT_TARGETS, "digit");
    const checkpoint = positionals[0];
    if (!existsSync(join(checkpoint, "model.json"))) {
      throw new UserError(`${printable(checkpoint)}: not a checkpoint folder (no model.json)`);
    }
    checkOut(out);
    await useWasmBackend();
    const model = await loadCheckpoint(checkpoint);
    const result = await exportModel(model, quantize, {
      description: `DigitKit export of ${model.name} (quantization: ${quantize}${io === "uint8" ? ", uint8 input and output" : ""})`,
      calibration: await calibrationFor(options),
      target,
      metadata: { name: `DigitKit ${basename(resolve(checkpoint))}` },
      quantize: { io },
      wasmRoot: nodeWasmRoot(),
    });
    await writeTflite(out, result.bytes);
    const ops = [...new Set(result.operators)].join(", ");
    const kind = io === "uint8" ? `${quantize}, uint8 input and output` : quantize;
    console.log(`wrote ${printable(out)}: ${result.bytes.length} bytes, ${kind}, ops ${ops}`);
    return 0;
  },
};
