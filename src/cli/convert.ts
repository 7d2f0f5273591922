import { loadMnist } from "../data/mnist.ts";
import { calibrationInputs } from "../export/export.ts";
import { measureAgreement } from "../import/agreement.ts";
import { convertImported, scaleInputs } from "../import/convert.ts";
import { openModelFile } from "../import/model-file.ts";
import { ARCHITECTURES, type Architecture } from "../model/architectures.ts";
import { nodeWasmRoot } from "../runtime/node-litert.ts";
import { useWasmBackend } from "../train/engines/tfjs-wasm-backend.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import { choiceOption, intOption, parseCommandArgs } from "./args.ts";
import type { Command } from "./main.ts";
import {
  checkOut,
  parseTfliteOptions,
  TFLITE_OPTIONS,
  TFLITE_OPTIONS_HELP,
  writeTflite,
} from "./tflite-options.ts";

const help = `Usage: digitkit convert MODEL --out FILE.tflite [options]

Converts a Keras or TF.js model to TensorFlow Lite, in TypeScript (no Python, no TensorFlow):
  - Keras 3 .keras (zip of config.json, metadata.json, model.weights.h5)
  - Keras 2 / tf.keras full-model .h5, and the legacy .h5 Keras 3 writes
  - a weights-only .h5 (Keras save_weights) with --arch: mlp is the tutorial's network, whose
    weights the Keras mnist_mlp example saves
  - a TF.js layers model.json with its weight shards (or the folder holding them)
Layers: InputLayer, Dense, Conv2D, DepthwiseConv2D, MaxPooling2D, AveragePooling2D,
GlobalAveragePooling2D, Flatten, Reshape, BatchNormalization, Activation, ReLU, Softmax, LeakyReLU,
Rescaling, Dropout and other layers that do nothing at inference; Sequential or single-chain
functional models. Dropout is dropped, BatchNormalization and Rescaling folded into the weights
next to them where the arithmetic allows. A model with any other layer is refused (the layer named)
before anything is written. Prints what it read, folded, dropped and wrote, then checks the file
in the official TFLite runtime against TF.js Layers running the Keras model on MNIST test digits.

Options:
${TFLITE_OPTIONS_HELP}
  --arch mlp|cnn        the architecture of a weights-only .h5
  --check N             MNIST test digits for the check after writing (default 200; 0: none)
  -h, --help            show this help`;

/** Float32 files must follow Keras within this; quantized ones are reported, not held to it. */
const FLOAT_TOLERANCE = 1e-5;

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      ...TFLITE_OPTIONS,
      arch: { type: "string" },
      check: { type: "string" },
    });
    if (positionals.length !== 1) {
      throw new UsageError("give one MODEL file (see digitkit convert --help)");
    }
    const options = parseTfliteOptions(values);
    const { out, quantize, io, calibrationCount } = options;
    const arch =
      values.arch === undefined
        ? undefined
        : choiceOption<Architecture>("arch", values.arch, ARCHITECTURES, "mlp");
    const checkCount = intOption("check", values.check, 200, 0, 10000);
    const path = positionals[0];
    checkOut(out);
    await useWasmBackend();
    const file = await openModelFile(path, { arch });
    if (file.kind === "tflite")
      throw new UserError(`${path}: already a .tflite file (see digitkit info)`);
    const pixels = file.model.inputShape.reduce((a, b) => a * b, 1);
    const needsMnist = quantize === "int8" || checkCount > 0;
    if (needsMnist && pixels !== 784) {
      if (quantize === "int8") {
        throw new UserError(
          `${path}: int8 calibration uses MNIST digits, but the model takes [${file.model.inputShape}]`,
        );
      }
    }
    const mnist = needsMnist && pixels === 784 ? await loadMnist(options.data) : undefined;
    const wasmRoot = nodeWasmRoot();
    const conversion = await convertImported(file.model, quantize, {
      calibration:
        quantize === "int8" && mnist ? calibrationInputs(mnist.train, calibrationCount) : undefined,
      io,
      source: path.split(/[\\/]/).pop(),
      wasmRoot,
    });
    try {
      for (const line of conversion.summary) console.log(line);
      if (mnist && checkCount > 0) {
        const probes = scaleInputs(
          calibrationInputs(mnist.test, checkCount),
          conversion.inputMax,
        ) as Float32Array[];
        const { n, maxDifference, sameClass } = await measureAgreement(
          conversion.bytes,
          conversion.reference,
          probes,
          wasmRoot,
        );
        console.log(
          `checked in LiteRT against TF.js Layers on ${n} MNIST test digits: largest output difference ${maxDifference.toExponential(2)}, same digit ${(sameClass * 100).toFixed(2)}%`,
        );
        if (quantize === "none" && maxDifference > FLOAT_TOLERANCE) {
          throw new UserError(
            `${path}: the converted model differs from the Keras model by ${maxDifference.toExponential(2)}; nothing written`,
          );
        }
      }
      await writeTflite(out, conversion.bytes);
      console.log(`wrote ${printable(out)}: ${conversion.bytes.length} bytes`);
    } finally {
      conversion.reference.dispose();
    }
    return 0;
  },
};
