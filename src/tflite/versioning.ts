import type { GraphSpec, OperatorSpec } from "./graph.ts";
import type { OpSignature, TensorSignature } from "./ops/format.ts";
import { opFormat } from "./ops/registry.ts";
import type { TfliteFile, TfliteSubgraph } from "./reader.ts";

/**
 * Operator versions and the minimum runtime, as TensorFlow's converter assigns them
 * (tensorflow/lite/tools/versioning: op_version.cc per op, runtime_version.cc for the model).
 * An old runtime that lacks a version's kernel refuses the model instead of running a kernel
 * that reads the tensors another way (per-channel weights read with one scale, say).
 */

/** The metadata entry the converter writes: a 16-byte buffer holding e.g. "1.14.0\0…". */
export const MIN_RUNTIME_VERSION = "min_runtime_version";

type Quantized = {
  shape: number[];
  type: number;
  quantization?: { scale: number[]; quantizedDimension?: number };
};

function tensorSignature(t: Quantized): TensorSignature {
  return {
    type: t.type,
    shape: t.shape,
    scales: t.quantization?.scale.length ?? 0,
    quantizedDimension: t.quantization?.quantizedDimension ?? 0,
  };
}

function signatureOf(
  tensors: Quantized[],
  inputs: number[],
  outputs: number[],
  options: OpSignature["options"],
): OpSignature {
  return {
    inputs: inputs.map((i) => (i < 0 ? undefined : tensorSignature(tensors[i]))),
    outputs: outputs.map((i) => tensorSignature(tensors[i])),
    options,
  };
}

/** The version the rules give an operator of a graph about to be written (undefined: unknown op). */
export function ruleVersion(graph: GraphSpec, op: OperatorSpec): number | undefined {
  return opFormat(op.op)?.version(signatureOf(graph.tensors, op.inputs, op.outputs, op.options));
}

/** Sets every operator's version to the one the rules give (ops we know nothing of keep theirs). */
export function assignOpVersions(graph: GraphSpec): GraphSpec {
  for (const op of graph.operators) op.version = ruleVersion(graph, op) ?? op.version;
  return graph;
}

/** a < b for dotted versions ("1.14.0" < "2.3.0"), as runtime_version.cc compares them. */
function earlier(a: string, b: string): boolean {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i];
  return x.length < y.length;
}

/** The oldest runtime with every (op, version) used; "" when none is known. */
export function minRuntimeVersion(ops: { op: number; version: number }[]): string {
  let min = "";
  for (const { op, version } of ops) {
    const needed = opFormat(op)?.runtimeVersions[version];
    if (needed && (min === "" || earlier(min, needed))) min = needed;
  }
  return min;
}

/** The 16 bytes of the min_runtime_version buffer: the string, zero padded. */
export function runtimeVersionBytes(version: string): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes.set(new TextEncoder().encode(version).subarray(0, 15));
  return bytes;
}

/** Operators of a file whose declared version differs from what the rules give. */
export function versionMismatches(file: TfliteFile): string[] {
  const problems: string[] = [];
  file.subgraphs.forEach((graph: TfliteSubgraph) => {
    for (const op of graph.operators) {
      const format = opFormat(op.builtinCode);
      if (!format) continue;
      const expected = format.version(
        signatureOf(graph.tensors, op.inputs, op.outputs, op.options),
      );
      if (expected !== op.version) {
        problems.push(
          `operator ${op.index} (${op.name}) declares version ${op.version}; its tensors make it version ${expected}`,
        );
      }
    }
  });
  return problems;
}
