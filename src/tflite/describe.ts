import type { TfliteFile, TfliteQuantization, TfliteTensor } from "./reader.ts";

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

export function describeModel(file: TfliteFile, path: string): ModelDescription {
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
