import { METADATA_BUFFER_NAME, type ModelMetadata, readModelMetadata } from "./metadata.ts";
import type { TfliteFile, TfliteQuantization, TfliteTensor } from "./reader.ts";
import { MIN_RUNTIME_VERSION, versionMismatches } from "./versioning.ts";
import { readZipEntries } from "./zip.ts";

/** `digitkit info` as data: what a .tflite file holds (the first subgraph is the model). */
export interface ModelDescription {
  file: string;
  sizeBytes: number;
  version: number;
  description: string;
  operators: {
    index: number;
    op: string;
    version: number;
    inputs: number[];
    outputs: number[];
    options: Record<string, unknown>;
  }[];
  opCounts: Record<string, number>;
  tensors: TensorDescription[];
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  subgraphs: number;
  /** The converter's min_runtime_version entry, when the file has one. */
  minRuntimeVersion?: string;
  /** Operators whose declared version is not the one TFLite's rules give their tensors. */
  versionProblems: string[];
  /** Names of Model.metadata entries. */
  metadataEntries: string[];
  /** The TFLITE_METADATA flatbuffer, decoded (or why it could not be). */
  metadata?: ModelMetadata;
  metadataError?: string;
  /** Files in the zip archive appended to the model (labels and the like). */
  associatedFiles: {
    name: string;
    bytes: number;
    stored: boolean;
    lines?: number;
    first?: string[];
  }[];
}

export interface TensorDescription {
  index: number;
  name: string;
  type: string;
  shape: number[];
  buffer: number;
  bytes: number;
  quantization?: TfliteQuantization;
}

function describeTensor(t: TfliteTensor): TensorDescription {
  return {
    index: t.index,
    name: t.name,
    type: t.typeName.toLowerCase(),
    shape: t.shape,
    buffer: t.buffer,
    bytes: t.data?.length ?? 0,
    ...(t.quantization ? { quantization: t.quantization } : {}),
  };
}

function describeMetadata(file: TfliteFile, bytes: Uint8Array | undefined) {
  const runtime = file.metadata.find((m) => m.name === MIN_RUNTIME_VERSION);
  const entry = file.metadata.find((m) => m.name === METADATA_BUFFER_NAME);
  let metadata: ModelMetadata | undefined;
  let metadataError: string | undefined;
  if (entry) {
    try {
      metadata = readModelMetadata(entry.data);
    } catch (error) {
      metadataError = (error as Error).message;
    }
  }
  const decoder = new TextDecoder();
  let associatedFiles: ModelDescription["associatedFiles"] = [];
  try {
    associatedFiles = (bytes ? readZipEntries(bytes) : []).map((e) => {
      const text = e.data ? decoder.decode(e.data) : undefined;
      const lines = text?.split("\n").filter((l) => l.length > 0);
      return {
        name: e.name,
        bytes: e.size,
        stored: e.data !== undefined,
        ...(lines ? { lines: lines.length, first: lines.slice(0, 5) } : {}),
      };
    });
  } catch (error) {
    metadataError = metadataError ?? (error as Error).message;
  }
  return {
    ...(runtime ? { minRuntimeVersion: decoder.decode(runtime.data).replace(/\0+$/, "") } : {}),
    versionProblems: versionMismatches(file),
    metadataEntries: file.metadata.map((m) => m.name),
    ...(metadata ? { metadata } : {}),
    ...(metadataError ? { metadataError } : {}),
    associatedFiles,
  };
}

/** `bytes`: the whole file, for the associated files zipped onto its end. */
export function describeModel(
  file: TfliteFile,
  path: string,
  bytes?: Uint8Array,
): ModelDescription {
  const main = file.subgraphs[0];
  const opCounts: Record<string, number> = {};
  for (const op of main.operators) opCounts[op.name] = (opCounts[op.name] ?? 0) + 1;
  const tensors = main.tensors.map(describeTensor);
  return {
    file: path,
    sizeBytes: file.sizeBytes,
    version: file.version,
    description: file.description,
    operators: main.operators.map((op) => ({
      index: op.index,
      op: op.name,
      version: op.version,
      inputs: op.inputs,
      outputs: op.outputs,
      options: op.options,
    })),
    opCounts,
    tensors,
    inputs: main.inputs.map((i) => tensors[i]),
    outputs: main.outputs.map((i) => tensors[i]),
    subgraphs: file.subgraphs.length,
    ...describeMetadata(file, bytes),
  };
}

function formatNumber(n: number): string {
  return Number(n.toPrecision(4)).toString();
}

function formatQuantization(q: TfliteQuantization | undefined): string {
  if (!q) return "";
  if (q.scale.length === 1) return `scale ${formatNumber(q.scale[0])} zero ${q.zeroPoint[0] ?? 0}`;
  const min = Math.min(...q.scale);
  const max = Math.max(...q.scale);
  return `per-channel (${q.scale.length}, axis ${q.quantizedDimension}) scale ${formatNumber(min)}…${formatNumber(max)}`;
}

function tensorLine(t: TensorDescription): string {
  return `${t.name} ${t.type} [${t.shape.join(",")}]`;
}

function optionText(options: Record<string, unknown>): string {
  return Object.entries(options)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("x") : v}`)
    .join(" ");
}

function tensorMetadataLine(
  kind: string,
  t: NonNullable<ModelDescription["metadata"]>["inputs"][number],
) {
  const parts = [t.name ?? "(unnamed)"];
  if (t.content?.kind === "image") {
    const size = t.content.width ? ` ${t.content.width}×${t.content.height}` : "";
    parts.push(`image ${t.content.colorSpace}${size}`);
  } else if (t.content) parts.push(t.content.kind);
  if (t.normalization) {
    parts.push(`normalization mean [${t.normalization.mean}] std [${t.normalization.std}]`);
  }
  if (t.stats) parts.push(`range [${t.stats.min}]…[${t.stats.max}]`);
  for (const f of t.associatedFiles ?? []) parts.push(`file ${f.name} (${f.type})`);
  return `  ${kind}: ${parts.join(", ")}`;
}

function metadataLines(d: ModelDescription): string[] {
  const lines: string[] = [];
  if (d.metadataError) lines.push(`metadata: ${d.metadataError}`);
  const m = d.metadata;
  if (m) {
    lines.push(
      `metadata: ${[m.name, m.version && `version ${m.version}`].filter(Boolean).join(", ")}`,
    );
    if (m.description) lines.push(`  description: ${m.description}`);
    if (m.author) lines.push(`  author: ${m.author}`);
    if (m.license) lines.push(`  license: ${m.license}`);
    if (m.minParserVersion) lines.push(`  min_parser_version: ${m.minParserVersion}`);
    for (const t of m.inputs) lines.push(tensorMetadataLine("input", t));
    for (const t of m.outputs) lines.push(tensorMetadataLine("output", t));
  } else if (!d.metadataError) {
    lines.push("metadata: none");
  }
  for (const f of d.associatedFiles) {
    const content =
      f.lines !== undefined
        ? `, ${f.lines} lines: ${f.first?.join(" ")}${f.lines > 5 ? " …" : ""}`
        : f.stored
          ? ""
          : ", compressed";
    lines.push(`associated file: ${f.name} (${f.bytes} bytes${content})`);
  }
  return lines;
}

/** The human-readable report. */
export function formatDescription(d: ModelDescription): string {
  const lines: string[] = [];
  lines.push(`${d.file}: TFLite schema version ${d.version}, ${d.sizeBytes} bytes`);
  if (d.description) lines.push(`description: ${d.description}`);
  if (d.subgraphs > 1) lines.push(`subgraphs: ${d.subgraphs} (showing the first)`);
  lines.push(`inputs:  ${d.inputs.map(tensorLine).join(", ")}`);
  lines.push(`outputs: ${d.outputs.map(tensorLine).join(", ")}`);
  const counts = Object.entries(d.opCounts)
    .map(([op, n]) => (n > 1 ? `${op} ×${n}` : op))
    .join(", ");
  lines.push(`operators (${d.operators.length}): ${counts}`);
  for (const op of d.operators) {
    const opts = optionText(op.options);
    lines.push(
      `  ${String(op.index).padStart(3)}  ${op.op} v${op.version}  [${op.inputs.join(",")}] → [${op.outputs.join(",")}]${opts ? `  ${opts}` : ""}`,
    );
  }
  lines.push(
    `min_runtime_version: ${d.minRuntimeVersion ?? "(none)"}; operator versions: ${
      d.versionProblems.length
        ? `differ from TFLite's rules: ${d.versionProblems.join("; ")}`
        : "as TFLite's rules give them"
    }`,
  );
  lines.push(...metadataLines(d));
  lines.push(`tensors (${d.tensors.length}):`);
  const nameWidth = Math.min(40, Math.max(4, ...d.tensors.map((t) => t.name.length)));
  for (const t of d.tensors) {
    const shape = `[${t.shape.join(",")}]`;
    const data = t.bytes ? `${t.bytes} bytes` : "";
    const q = formatQuantization(t.quantization);
    lines.push(
      `  ${String(t.index).padStart(3)}  ${t.name.padEnd(nameWidth)}  ${t.type.padEnd(7)}  ${shape.padEnd(14)}  ${data.padEnd(14)}${q ? `  ${q}` : ""}`.trimEnd(),
    );
  }
  return lines.join("\n");
}
