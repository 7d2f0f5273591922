import { FlatView } from "./flat-view.ts";
import { BufferField, ModelField } from "./schema.ts";

/**
 * The one thing DigitKit reads from a model's TFLite Metadata (tflite-support's
 * metadata_schema.fbs, a flatbuffer with identifier "M001" in the buffer that the model's
 * "TFLITE_METADATA" entry names): the first input's NormalizationOptions, the per-channel
 * (x - mean) / std that turns 0–255 pixels into what the network takes.
 */
export interface InputNormalization {
  mean: number[];
  std: number[];
}

// Field slots, in the schema's order of declaration.
const MetadataEntry = { name: 0, buffer: 1 } as const;
const ModelMetadata = { subgraph_metadata: 3 } as const;
const SubGraphMetadata = { input_tensor_metadata: 2 } as const;
const TensorMetadata = { process_units: 4 } as const;
const ProcessUnit = { options_type: 0, options: 1 } as const;
const NORMALIZATION_OPTIONS = 1; // ProcessUnitOptions: NormalizationOptions is the first member
const NormalizationOptions = { mean: 0, std: 1 } as const;

/** The TFLITE_METADATA buffer's bytes, or null when the model carries none. */
export function metadataBuffer(bytes: Uint8Array): Uint8Array | null {
  const view = new FlatView(bytes);
  const root = view.root();
  const buffers = view.tables(root, ModelField.buffers);
  for (const entry of view.tables(root, ModelField.metadata)) {
    if (view.string(entry, MetadataEntry.name) !== "TFLITE_METADATA") continue;
    const slot = view.field(entry, MetadataEntry.buffer);
    const buffer = buffers[slot ? view.u32(slot) : 0];
    if (buffer === undefined) return null;
    const { start, length } = view.vector(buffer, BufferField.data, 1);
    return length > 0 ? bytes.subarray(start, start + length) : null;
  }
  return null;
}

/**
 * The first input's normalization from the model's metadata; null when it has no metadata or no
 * NormalizationOptions there. Throws TfliteFormatError when the metadata cannot be read.
 */
export function readInputNormalization(bytes: Uint8Array): InputNormalization | null {
  const metadata = metadataBuffer(bytes);
  if (!metadata || metadata.length < 8) return null;
  if (String.fromCharCode(...metadata.subarray(4, 8)) !== "M001") return null;
  const view = new FlatView(metadata);
  const subgraph = view.tables(view.root(), ModelMetadata.subgraph_metadata)[0];
  if (subgraph === undefined) return null;
  const input = view.tables(subgraph, SubGraphMetadata.input_tensor_metadata)[0];
  if (input === undefined) return null;
  for (const unit of view.tables(input, TensorMetadata.process_units)) {
    const type = view.field(unit, ProcessUnit.options_type);
    if (!type || view.u8(type) !== NORMALIZATION_OPTIONS) continue;
    const options = view.table(unit, ProcessUnit.options);
    if (!options) continue;
    return {
      mean: view.floats(options, NormalizationOptions.mean),
      std: view.floats(options, NormalizationOptions.std),
    };
  }
  return null;
}
