import type { GraphSpec } from "../tflite/graph.ts";
import {
  METADATA_BUFFER_NAME,
  MIN_PARSER_VERSION,
  type ModelMetadata,
  writeModelMetadata,
} from "../tflite/metadata.ts";
import {
  MIN_RUNTIME_VERSION,
  minRuntimeVersion,
  runtimeVersionBytes,
} from "../tflite/versioning.ts";
import { storedZip } from "../tflite/zip.ts";

/** The label file attached to every export: one digit name per line, output index order. */
export const LABELS_FILE = "labels.txt";
export const LABELS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

export interface MetadataOptions {
  name: string;
  description: string;
  version: string;
  author: string;
  license: string;
  /** RGB for the image-classifier target (channels averaged in the graph); grayscale otherwise. */
  colorSpace: "RGB" | "GRAYSCALE";
  /**
   * The input's value for white: 1 (DigitKit's contract, byte / 255) or 255 (the byte itself, for
   * a Keras model that divides by 255 in its own first layer, Rescaling).
   */
  inputMax?: 1 | 255;
}

/**
 * The metadata Google's tools read, as their metadata writer lays it out for an image
 * classifier: the input is an image of 28×28 whose bytes become values by (byte − 0) / 255
 * (NormalizationOptions), 0–1 after it (Stats), or the bytes as they are (std 1, 0–255) for a
 * model that scales them itself; the output holds one probability per label of
 * labels.txt (a TENSOR_AXIS_LABELS file zipped onto the model).
 */
export function digitMetadata(options: MetadataOptions): ModelMetadata {
  const bytes = options.inputMax === 255;
  const channels =
    options.colorSpace === "RGB" ? "three channels (the digit's grey in each)" : "one channel";
  return {
    name: options.name,
    description: options.description,
    version: options.version,
    author: options.author,
    license: options.license,
    minParserVersion: MIN_PARSER_VERSION,
    inputs: [
      {
        name: "image",
        description: `A handwritten digit, 28 × 28 pixels, ${channels}: white ink on black, centred by its centre of mass as in MNIST. ${bytes ? "Each value is the pixel byte itself (0 = black, 255 = white); the model scales it." : "Each value is the pixel byte divided by 255 (0 = black, 1 = white)."}`,
        content: { kind: "image", colorSpace: options.colorSpace, width: 28, height: 28 },
        normalization: { mean: [0], std: [bytes ? 1 : 255] },
        stats: { min: [0], max: [bytes ? 255 : 1] },
      },
    ],
    outputs: [
      {
        name: "probability",
        description: "Probabilities of the ten digits 0–9 (softmax), in the order of labels.txt.",
        content: { kind: "feature" },
        stats: { min: [0], max: [1] },
        associatedFiles: [
          {
            name: LABELS_FILE,
            description: "The digits the model recognizes, one per line.",
            type: "TENSOR_AXIS_LABELS",
          },
        ],
      },
    ],
  };
}

/**
 * Adds the converter's min_runtime_version entry (the oldest runtime with every op version the
 * graph uses) and the TFLITE_METADATA entry, as TensorFlow's converter and metadata populator do.
 */
export function withMetadata(graph: GraphSpec, metadata: ModelMetadata): GraphSpec {
  const runtime = minRuntimeVersion(graph.operators);
  return {
    ...graph,
    metadata: [
      ...(runtime ? [{ name: MIN_RUNTIME_VERSION, data: runtimeVersionBytes(runtime) }] : []),
      { name: METADATA_BUFFER_NAME, data: writeModelMetadata(metadata) },
    ],
  };
}

/** The model with its associated files zipped onto the end (stored entries). */
export function attachFiles(
  model: Uint8Array,
  files: { name: string; data: Uint8Array }[],
): Uint8Array {
  const zip = storedZip(files, model.length);
  const out = new Uint8Array(model.length + zip.length);
  out.set(model);
  out.set(zip, model.length);
  return out;
}

export function labelsFile(): { name: string; data: Uint8Array } {
  return { name: LABELS_FILE, data: new TextEncoder().encode(`${LABELS.join("\n")}\n`) };
}
