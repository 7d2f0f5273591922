import { Builder, type Offset } from "flatbuffers";
import { UserError } from "../util/errors.ts";
import { Bytes, type Table } from "./reader.ts";

/**
 * TFLite Metadata (tflite-support's metadata_schema.fbs, schema 1.x, file identifier "M001"): the
 * ModelMetadata flatbuffer that Google's tools (the Task Library, MediaPipe, ML Kit, Android
 * Studio's model binding) read from the model's `TFLITE_METADATA` buffer. Only the tables
 * DigitKit writes or shows are spelt here; slots are field positions in the .fbs.
 */

export const METADATA_BUFFER_NAME = "TFLITE_METADATA";
export const METADATA_IDENTIFIER = "M001";
/** The parser version our fields need (all of them exist since metadata schema 1.0.0). */
export const MIN_PARSER_VERSION = "1.0.0";

const ModelMetadataField = {
  name: 0,
  description: 1,
  version: 2,
  subgraph_metadata: 3,
  author: 4,
  license: 5,
  associated_files: 6,
  min_parser_version: 7,
  count: 8,
};
const SubGraphMetadataField = {
  name: 0,
  description: 1,
  input_tensor_metadata: 2,
  output_tensor_metadata: 3,
  associated_files: 4,
  count: 5,
};
const TensorMetadataField = {
  name: 0,
  description: 1,
  dimension_names: 2,
  content: 3,
  process_units: 4,
  stats: 5,
  associated_files: 6,
  count: 7,
};
const ContentField = { content_properties_type: 0, content_properties: 1, range: 2, count: 3 };
const ContentProperties = { NONE: 0, FeatureProperties: 1, ImageProperties: 2 };
const ImagePropertiesField = { color_space: 0, default_size: 1, count: 2 };
const ImageSizeField = { width: 0, height: 1, count: 2 };
const ProcessUnitField = { options_type: 0, options: 1, count: 2 };
const ProcessUnitOptions = { NormalizationOptions: 1 };
const NormalizationOptionsField = { mean: 0, std: 1, count: 2 };
const StatsField = { max: 0, min: 1, count: 2 };
const AssociatedFileField = { name: 0, description: 1, type: 2, locale: 3, count: 4 };

export const COLOR_SPACES = ["UNKNOWN", "RGB", "GRAYSCALE"] as const;
export type ColorSpace = (typeof COLOR_SPACES)[number];
export const ASSOCIATED_FILE_TYPES = [
  "UNKNOWN",
  "DESCRIPTIONS",
  "TENSOR_AXIS_LABELS",
  "TENSOR_VALUE_LABELS",
  "TENSOR_AXIS_SCORE_CALIBRATION",
  "VOCABULARY",
  "SCANN_INDEX_FILE",
] as const;
export type AssociatedFileType = (typeof ASSOCIATED_FILE_TYPES)[number];

export interface AssociatedFile {
  name: string;
  description?: string;
  type: AssociatedFileType | string;
  locale?: string;
}

export interface TensorMetadata {
  name?: string;
  description?: string;
  /** "image" (ImageProperties), "feature" (FeatureProperties), or absent. */
  content?:
    | { kind: "image"; colorSpace: ColorSpace | string; width?: number; height?: number }
    | { kind: "feature" }
    | { kind: "other"; type: number };
  /** NormalizationOptions: input = (value − mean) / std, per channel or one for all. */
  normalization?: { mean: number[]; std: number[] };
  stats?: { min: number[]; max: number[] };
  associatedFiles?: AssociatedFile[];
}

export interface ModelMetadata {
  name?: string;
  description?: string;
  version?: string;
  author?: string;
  license?: string;
  minParserVersion?: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  associatedFiles?: AssociatedFile[];
}

// ---- writing ----

function optionalString(b: Builder, s: string | undefined): Offset {
  return s === undefined ? 0 : b.createString(s);
}

function floatVector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function tableVector(b: Builder, offsets: Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

function writeAssociatedFiles(b: Builder, files: AssociatedFile[] | undefined): Offset {
  if (!files?.length) return 0;
  const tables = files.map((f) => {
    const name = b.createString(f.name);
    const description = optionalString(b, f.description);
    const locale = optionalString(b, f.locale);
    const type = ASSOCIATED_FILE_TYPES.indexOf(f.type as AssociatedFileType);
    b.startObject(AssociatedFileField.count);
    b.addFieldOffset(AssociatedFileField.name, name, 0);
    if (description) b.addFieldOffset(AssociatedFileField.description, description, 0);
    b.addFieldInt8(AssociatedFileField.type, Math.max(0, type), 0);
    if (locale) b.addFieldOffset(AssociatedFileField.locale, locale, 0);
    return b.endObject();
  });
  return tableVector(b, tables);
}

function writeContent(b: Builder, content: TensorMetadata["content"]): Offset {
  if (!content || content.kind === "other") return 0;
  let type = ContentProperties.FeatureProperties;
  let properties: Offset;
  if (content.kind === "image") {
    type = ContentProperties.ImageProperties;
    let size: Offset = 0;
    if (content.width !== undefined && content.height !== undefined) {
      b.startObject(ImageSizeField.count);
      b.addFieldInt32(ImageSizeField.width, content.width, 0);
      b.addFieldInt32(ImageSizeField.height, content.height, 0);
      size = b.endObject();
    }
    b.startObject(ImagePropertiesField.count);
    const space = COLOR_SPACES.indexOf(content.colorSpace as ColorSpace);
    b.addFieldInt8(ImagePropertiesField.color_space, Math.max(0, space), 0);
    if (size) b.addFieldOffset(ImagePropertiesField.default_size, size, 0);
    properties = b.endObject();
  } else {
    b.startObject(0);
    properties = b.endObject();
  }
  b.startObject(ContentField.count);
  b.addFieldInt8(ContentField.content_properties_type, type, 0);
  b.addFieldOffset(ContentField.content_properties, properties, 0);
  return b.endObject();
}

function writeTensorMetadata(b: Builder, t: TensorMetadata): Offset {
  const name = optionalString(b, t.name);
  const description = optionalString(b, t.description);
  const content = writeContent(b, t.content);
  let processUnits: Offset = 0;
  if (t.normalization) {
    const mean = floatVector(b, t.normalization.mean);
    const std = floatVector(b, t.normalization.std);
    b.startObject(NormalizationOptionsField.count);
    b.addFieldOffset(NormalizationOptionsField.mean, mean, 0);
    b.addFieldOffset(NormalizationOptionsField.std, std, 0);
    const options = b.endObject();
    b.startObject(ProcessUnitField.count);
    b.addFieldInt8(ProcessUnitField.options_type, ProcessUnitOptions.NormalizationOptions, 0);
    b.addFieldOffset(ProcessUnitField.options, options, 0);
    processUnits = tableVector(b, [b.endObject()]);
  }
  let stats: Offset = 0;
  if (t.stats) {
    const max = floatVector(b, t.stats.max);
    const min = floatVector(b, t.stats.min);
    b.startObject(StatsField.count);
    b.addFieldOffset(StatsField.max, max, 0);
    b.addFieldOffset(StatsField.min, min, 0);
    stats = b.endObject();
  }
  const files = writeAssociatedFiles(b, t.associatedFiles);
  b.startObject(TensorMetadataField.count);
  if (name) b.addFieldOffset(TensorMetadataField.name, name, 0);
  if (description) b.addFieldOffset(TensorMetadataField.description, description, 0);
  if (content) b.addFieldOffset(TensorMetadataField.content, content, 0);
  if (processUnits) b.addFieldOffset(TensorMetadataField.process_units, processUnits, 0);
  if (stats) b.addFieldOffset(TensorMetadataField.stats, stats, 0);
  if (files) b.addFieldOffset(TensorMetadataField.associated_files, files, 0);
  return b.endObject();
}

/** The ModelMetadata flatbuffer (identifier "M001") for a one-subgraph model. */
export function writeModelMetadata(m: ModelMetadata): Uint8Array {
  const b = new Builder(1024);
  const inputs = tableVector(
    b,
    m.inputs.map((t) => writeTensorMetadata(b, t)),
  );
  const outputs = tableVector(
    b,
    m.outputs.map((t) => writeTensorMetadata(b, t)),
  );
  b.startObject(SubGraphMetadataField.count);
  b.addFieldOffset(SubGraphMetadataField.input_tensor_metadata, inputs, 0);
  b.addFieldOffset(SubGraphMetadataField.output_tensor_metadata, outputs, 0);
  const subgraph = tableVector(b, [b.endObject()]);
  const name = optionalString(b, m.name);
  const description = optionalString(b, m.description);
  const version = optionalString(b, m.version);
  const author = optionalString(b, m.author);
  const license = optionalString(b, m.license);
  const files = writeAssociatedFiles(b, m.associatedFiles);
  const parser = b.createString(m.minParserVersion ?? MIN_PARSER_VERSION);
  b.startObject(ModelMetadataField.count);
  if (name) b.addFieldOffset(ModelMetadataField.name, name, 0);
  if (description) b.addFieldOffset(ModelMetadataField.description, description, 0);
  if (version) b.addFieldOffset(ModelMetadataField.version, version, 0);
  b.addFieldOffset(ModelMetadataField.subgraph_metadata, subgraph, 0);
  if (author) b.addFieldOffset(ModelMetadataField.author, author, 0);
  if (license) b.addFieldOffset(ModelMetadataField.license, license, 0);
  if (files) b.addFieldOffset(ModelMetadataField.associated_files, files, 0);
  b.addFieldOffset(ModelMetadataField.min_parser_version, parser, 0);
  b.finish(b.endObject(), METADATA_IDENTIFIER);
  return b.asUint8Array().slice();
}

// ---- reading (bounds-checked like the model reader: the metadata is someone else's too) ----

export class MetadataFormatError extends UserError {
  constructor(message: string) {
    super(`its TFLite metadata is not valid: ${message}`);
    this.name = "MetadataFormatError";
  }
}

function stringOf(t: Table, slot: number, what: string): string | undefined {
  return t.has(slot) ? t.string(slot, what) : undefined;
}

function readAssociatedFiles(t: Table, slot: number, what: string): AssociatedFile[] | undefined {
  const tables = t.tables(slot, what);
  if (tables.length === 0) return undefined;
  return tables.map((f, i) => {
    const type = f.int8(AssociatedFileField.type);
    return {
      name: f.string(AssociatedFileField.name, `the name of ${what} ${i}`),
      ...(f.has(AssociatedFileField.description)
        ? { description: f.string(AssociatedFileField.description, `${what} ${i}`) }
        : {}),
      type: ASSOCIATED_FILE_TYPES[type] ?? `UNKNOWN(${type})`,
      ...(f.has(AssociatedFileField.locale)
        ? { locale: f.string(AssociatedFileField.locale, `${what} ${i}`) }
        : {}),
    };
  });
}

function readTensorMetadata(t: Table, what: string): TensorMetadata {
  const m: TensorMetadata = {};
  const name = stringOf(t, TensorMetadataField.name, `the name of ${what}`);
  if (name !== undefined) m.name = name;
  const description = stringOf(t, TensorMetadataField.description, `the description of ${what}`);
  if (description !== undefined) m.description = description;
  const content = t.table(TensorMetadataField.content, `the content of ${what}`);
  if (content) {
    const type = content.uint8(ContentField.content_properties_type);
    const properties = content.table(ContentField.content_properties, `the content of ${what}`);
    if (type === ContentProperties.ImageProperties && properties) {
      const space = properties.int8(ImagePropertiesField.color_space);
      const size = properties.table(ImagePropertiesField.default_size, `the size of ${what}`);
      m.content = {
        kind: "image",
        colorSpace: COLOR_SPACES[space] ?? `UNKNOWN(${space})`,
        ...(size
          ? {
              width: size.uint32(ImageSizeField.width),
              height: size.uint32(ImageSizeField.height),
            }
          : {}),
      };
    } else if (type === ContentProperties.FeatureProperties) {
      m.content = { kind: "feature" };
    } else if (type !== ContentProperties.NONE) {
      m.content = { kind: "other", type };
    }
  }
  for (const unit of t.tables(TensorMetadataField.process_units, `the process units of ${what}`)) {
    if (unit.uint8(ProcessUnitField.options_type) !== ProcessUnitOptions.NormalizationOptions) {
      continue;
    }
    const options = unit.table(ProcessUnitField.options, `the normalization of ${what}`);
    if (!options) continue;
    m.normalization = {
      mean: options.float32s(NormalizationOptionsField.mean, `the mean of ${what}`),
      std: options.float32s(NormalizationOptionsField.std, `the std of ${what}`),
    };
  }
  const stats = t.table(TensorMetadataField.stats, `the stats of ${what}`);
  if (stats) {
    m.stats = {
      min: stats.float32s(StatsField.min, `the minima of ${what}`),
      max: stats.float32s(StatsField.max, `the maxima of ${what}`),
    };
  }
  const files = readAssociatedFiles(t, TensorMetadataField.associated_files, `file of ${what}`);
  if (files) m.associatedFiles = files;
  return m;
}

/** Reads a ModelMetadata flatbuffer; a one-line MetadataFormatError when it is not one. */
export function readModelMetadata(bytes: Uint8Array): ModelMetadata {
  const r = new Bytes(bytes, (message) => new MetadataFormatError(message));
  if (r.size < 8) r.fail(`the buffer is too short (${r.size} bytes)`);
  const identifier = String.fromCharCode(...bytes.subarray(4, 8));
  if (identifier !== METADATA_IDENTIFIER) {
    r.fail(`identifier is ${JSON.stringify(identifier)}, expected "${METADATA_IDENTIFIER}"`);
  }
  const t = r.table(r.u32(0), "the metadata table");
  const subgraphs = t.tables(ModelMetadataField.subgraph_metadata, "subgraph metadata");
  const main = subgraphs[0];
  const tensors = (slot: number, what: string) =>
    main ? main.tables(slot, what).map((m, i) => readTensorMetadata(m, `${what} ${i}`)) : [];
  const m: ModelMetadata = {
    inputs: tensors(SubGraphMetadataField.input_tensor_metadata, "input"),
    outputs: tensors(SubGraphMetadataField.output_tensor_metadata, "output"),
  };
  const strings: [keyof ModelMetadata, number][] = [
    ["name", ModelMetadataField.name],
    ["description", ModelMetadataField.description],
    ["version", ModelMetadataField.version],
    ["author", ModelMetadataField.author],
    ["license", ModelMetadataField.license],
    ["minParserVersion", ModelMetadataField.min_parser_version],
  ];
  for (const [key, slot] of strings) {
    const value = stringOf(t, slot, `the ${key}`);
    if (value !== undefined) (m as unknown as Record<string, string>)[key] = value;
  }
  const files = readAssociatedFiles(t, ModelMetadataField.associated_files, "model file");
  if (files) m.associatedFiles = files;
  return m;
}
