import { UserError } from "../util/errors.ts";
import { BUILTIN_OPERATOR_NAMES } from "./op-names.ts";
import { checkOperatorShapes, optionsCodecOfType } from "./ops/registry.ts";
import {
  BufferField,
  BuiltinOptions,
  FILE_IDENTIFIER,
  ModelField,
  OperatorCodeField,
  OperatorField,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  QuantizationField,
  SCHEMA_VERSION,
  SignatureDefField,
  SubGraphField,
  TensorField,
  TensorMapField,
  TensorType,
  tensorTypeBytes,
  tensorTypeNames,
} from "./schema.ts";

/**
 * Reads and validates a .tflite file without trusting it: every offset, vector and string is
 * bounds-checked before it is read, vector lengths are capped by the file size, the total work
 * is capped by a budget proportional to the file size (so aliased structures cannot make it
 * quadratic), and the schema's fixed depth is walked without recursion. Anything wrong becomes a
 * one-line `TfliteFormatError`. No Node imports: the browser uses it too.
 */

export class TfliteFormatError extends UserError {
  constructor(message: string) {
    super(`not a valid TFLite model: ${message}`);
    this.name = "TfliteFormatError";
  }
}

export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
  min?: number[];
  max?: number[];
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  typeName: string;
  buffer: number;
  /** The constant data (a view into the file), when the tensor's buffer holds any. */
  data?: Uint8Array;
  quantization?: TfliteQuantization;
}

export interface TfliteOperatorCode {
  builtinCode: number;
  deprecatedBuiltinCode: number;
  hasBuiltinCode: boolean;
  hasDeprecatedBuiltinCode: boolean;
  version: number;
  name: string;
  customCode?: string;
}

export type OptionValue = number | string | number[];

export interface TfliteOperator {
  index: number;
  opcodeIndex: number;
  builtinCode: number;
  name: string;
  version: number;
  inputs: number[];
  outputs: number[];
  /** Decoded builtin options for the ops DigitKit knows (activation, padding, strides, ...). */
  options: Record<string, OptionValue>;
}

export interface TfliteSubgraph {
  name: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

export interface TfliteSignature {
  key: string;
  subgraphIndex: number;
  inputs: { name: string; tensorIndex: number }[];
  outputs: { name: string; tensorIndex: number }[];
}

export interface TfliteFile {
  version: number;
  description: string;
  sizeBytes: number;
  operatorCodes: TfliteOperatorCode[];
  /** Byte length of each buffer's data (0 when empty). */
  bufferSizes: number[];
  subgraphs: TfliteSubgraph[];
  signatures: TfliteSignature[];
}

/** Largest tensor we accept, in bytes: a bad shape must not make a runtime allocate gigabytes. */
const MAX_TENSOR_BYTES = 1 << 28;
const MAX_RANK = 8;

class Bytes {
  readonly view: DataView;
  readonly size: number;
  private work = 0;
  private readonly budget: number;
  private readonly decoder = new TextDecoder("utf-8");

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.byteLength;
    this.budget = 4 * this.size + 100_000;
  }

  fail(message: string): never {
    throw new TfliteFormatError(message);
  }

  check(pos: number, length: number, what: string): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || length < 0 || pos + length > this.size) {
      this.fail(`${what} at byte ${pos} runs past the end of the file (${this.size} bytes)`);
    }
  }

  /** Counts work done; a file whose structures alias each other cannot make reading explode. */
  spend(units: number): void {
    this.work += units;
    if (this.work > this.budget) this.fail("its tables refer to each other too many times");
  }

  u8(pos: number): number {
    this.check(pos, 1, "a byte");
    return this.view.getUint8(pos);
  }
  i8(pos: number): number {
    this.check(pos, 1, "a byte");
    return this.view.getInt8(pos);
  }
  u16(pos: number): number {
    this.check(pos, 2, "a 16-bit value");
    return this.view.getUint16(pos, true);
  }
  i32(pos: number): number {
    this.check(pos, 4, "a 32-bit value");
    return this.view.getInt32(pos, true);
  }
  u32(pos: number): number {
    this.check(pos, 4, "a 32-bit value");
    return this.view.getUint32(pos, true);
  }
  f32(pos: number): number {
    this.check(pos, 4, "a float");
    return this.view.getFloat32(pos, true);
  }
  i64(pos: number): number {
    this.check(pos, 8, "a 64-bit value");
    return Number(this.view.getBigInt64(pos, true));
  }

  table(pos: number, what: string): Table {
    this.spend(1);
    this.check(pos, 4, what);
    const vtable = pos - this.i32(pos);
    this.check(vtable, 4, `the vtable of ${what}`);
    const vtableLength = this.u16(vtable);
    const tableLength = this.u16(vtable + 2);
    if (vtableLength < 4 || vtableLength % 2 !== 0) this.fail(`${what} has a malformed vtable`);
    this.check(vtable, vtableLength, `the vtable of ${what}`);
    if (tableLength < 4) this.fail(`${what} has a malformed vtable`);
    this.check(pos, tableLength, what);
    return new Table(this, pos, vtable, vtableLength, tableLength, what);
  }

  /** A vector's element count and first element position, after checking it fits the file. */
  vector(pos: number, elementSize: number, what: string): { start: number; length: number } {
    const length = this.u32(pos);
    this.check(pos + 4, length * elementSize, what);
    this.spend(length);
    return { start: pos + 4, length };
  }

  string(pos: number, what: string): string {
    const { start, length } = this.vector(pos, 1, what);
    return this.decoder.decode(this.bytes.subarray(start, start + length));
  }
}

class Table {
  constructor(
    private readonly r: Bytes,
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableLength: number,
    private readonly tableLength: number,
    private readonly what: string,
  ) {}

  /** Absolute position of a field, or 0 when absent; checks the field lies inside the table. */
  field(slot: number, width: number): number {
    const entry = 4 + 2 * slot;
    if (entry + 2 > this.vtableLength) return 0;
    const offset = this.r.u16(this.vtable + entry);
    if (offset === 0) return 0;
    if (offset + width > this.tableLength) this.r.fail(`a field of ${this.what} lies outside it`);
    return this.pos + offset;
  }

  has(slot: number): boolean {
    return this.field(slot, 1) !== 0;
  }
  int8(slot: number, fallback = 0): number {
    const p = this.field(slot, 1);
    return p ? this.r.i8(p) : fallback;
  }
  uint8(slot: number, fallback = 0): number {
    const p = this.field(slot, 1);
    return p ? this.r.u8(p) : fallback;
  }
  int32(slot: number, fallback = 0): number {
    const p = this.field(slot, 4);
    return p ? this.r.i32(p) : fallback;
  }
  uint32(slot: number, fallback = 0): number {
    const p = this.field(slot, 4);
    return p ? this.r.u32(p) : fallback;
  }
  int64(slot: number, fallback = 0): number {
    const p = this.field(slot, 8);
    return p ? this.r.i64(p) : fallback;
  }
  float32(slot: number, fallback = 0): number {
    const p = this.field(slot, 4);
    return p ? this.r.f32(p) : fallback;
  }

  /** Follows an offset field; 0 when absent. */
  target(slot: number): number {
    const p = this.field(slot, 4);
    if (!p) return 0;
    const target = p + this.r.u32(p);
    this.r.check(target, 4, `what ${this.what} points at`);
    return target;
  }

  table(slot: number, what: string): Table | undefined {
    const t = this.target(slot);
    return t ? this.r.table(t, what) : undefined;
  }
  string(slot: number, what: string): string {
    const t = this.target(slot);
    return t ? this.r.string(t, what) : "";
  }
  int32s(slot: number, what: string): number[] {
    return this.numbers(slot, what, 4, (p) => this.r.i32(p));
  }
  float32s(slot: number, what: string): number[] {
    return this.numbers(slot, what, 4, (p) => this.r.f32(p));
  }
  int64s(slot: number, what: string): number[] {
    return this.numbers(slot, what, 8, (p) => this.r.i64(p));
  }
  /** A vector of numbers `width` bytes each, read one by one; [] when absent. */
  private numbers(
    slot: number,
    what: string,
    width: number,
    read: (pos: number) => number,
  ): number[] {
    const t = this.target(slot);
    if (!t) return [];
    const { start, length } = this.r.vector(t, width, what);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = read(start + width * i);
    return out;
  }
  bytes(slot: number, what: string): Uint8Array | undefined {
    const t = this.target(slot);
    if (!t) return undefined;
    const { start, length } = this.r.vector(t, 1, what);
    return this.r.bytes.subarray(start, start + length);
  }
  tables(slot: number, what: string): Table[] {
    const t = this.target(slot);
    if (!t) return [];
    const { start, length } = this.r.vector(t, 4, what);
    const out: Table[] = [];
    for (let i = 0; i < length; i++) {
      const p = start + 4 * i;
      out.push(this.r.table(p + this.r.u32(p), `${what} ${i}`));
    }
    return out;
  }
}

/** Parses and validates a .tflite file; throws TfliteFormatError (a one-line UserError). */
export function readTflite(bytes: Uint8Array): TfliteFile {
  const r = new Bytes(bytes);
  if (r.size < 8) r.fail(`the file is too short (${r.size} bytes)`);
  const identifier = String.fromCharCode(...bytes.subarray(4, 8));
  if (identifier !== FILE_IDENTIFIER) {
    r.fail(`file identifier is ${JSON.stringify(identifier)}, expected "${FILE_IDENTIFIER}"`);
  }
  const model = r.table(r.u32(0), "the model table");
  const version = model.uint32(ModelField.version);
  if (version !== SCHEMA_VERSION) r.fail(`schema version ${version}, expected ${SCHEMA_VERSION}`);

  const bufferTables = model.tables(ModelField.buffers, "buffer");
  if (bufferTables.length === 0) r.fail("it has no buffers (buffer 0 must exist and be empty)");
  const buffers = bufferTables.map((t, i) => t.bytes(BufferField.data, `the data of buffer ${i}`));
  if ((buffers[0]?.length ?? 0) !== 0) r.fail("buffer 0 is not empty");
  for (let i = 0; i < bufferTables.length; i++) {
    // Models over 2 GB keep buffers after the flatbuffer (offset > 1); we do not read those.
    const offset = bufferTables[i].int64(BufferField.offset);
    if (offset !== 0 && offset !== 1) {
      r.fail(`buffer ${i} keeps its data outside the flatbuffer (not supported)`);
    }
  }

  const operatorCodes = model
    .tables(ModelField.operator_codes, "operator code")
    .map((t, i) => readOperatorCode(r, t, i));
  const subgraphTables = model.tables(ModelField.subgraphs, "subgraph");
  if (subgraphTables.length === 0) r.fail("it has no subgraphs");
  const subgraphs = subgraphTables.map((t, i) => readSubgraph(r, t, i, buffers, operatorCodes));
  subgraphs.forEach((graph, i) => {
    const problem = checkOperatorShapes(graph);
    if (problem) r.fail(subgraphs.length > 1 ? `subgraph ${i}, ${problem}` : problem);
  });
  const signatures = model
    .tables(ModelField.signature_defs, "signature")
    .map((t, i) => readSignature(r, t, i, subgraphs));
  return {
    version,
    description: model.string(ModelField.description, "the description"),
    sizeBytes: r.size,
    operatorCodes,
    bufferSizes: buffers.map((b) => b?.length ?? 0),
    subgraphs,
    signatures,
  };
}

function readOperatorCode(r: Bytes, t: Table, index: number): TfliteOperatorCode {
  const hasDeprecatedBuiltinCode = t.has(OperatorCodeField.deprecated_builtin_code);
  const hasBuiltinCode = t.has(OperatorCodeField.builtin_code);
  const deprecatedBuiltinCode = t.int8(OperatorCodeField.deprecated_builtin_code);
  const builtinCode = hasBuiltinCode
    ? t.int32(OperatorCodeField.builtin_code)
    : deprecatedBuiltinCode;
  const what = `operator code ${index}`;
  if (
    builtinCode < 0 ||
    builtinCode >= BUILTIN_OPERATOR_NAMES.length ||
    builtinCode === PLACEHOLDER_FOR_GREATER_OP_CODES
  ) {
    r.fail(`${what} is an unknown operator (${builtinCode})`);
  }
  if (hasBuiltinCode && deprecatedBuiltinCode !== Math.min(builtinCode, 127)) {
    r.fail(
      `${what}: deprecated_builtin_code ${deprecatedBuiltinCode} disagrees with builtin_code ${builtinCode}`,
    );
  }
  const customCode = t.has(OperatorCodeField.custom_code)
    ? t.string(OperatorCodeField.custom_code, `the custom code of ${what}`)
    : undefined;
  const name = BUILTIN_OPERATOR_NAMES[builtinCode];
  return {
    builtinCode,
    deprecatedBuiltinCode,
    hasBuiltinCode,
    hasDeprecatedBuiltinCode,
    version: t.int32(OperatorCodeField.version, 1),
    name: customCode !== undefined ? `${name}(${customCode})` : name,
    ...(customCode !== undefined ? { customCode } : {}),
  };
}

function readSubgraph(
  r: Bytes,
  t: Table,
  index: number,
  buffers: (Uint8Array | undefined)[],
  codes: TfliteOperatorCode[],
): TfliteSubgraph {
  const tensors = t
    .tables(SubGraphField.tensors, `tensor of subgraph ${index}`)
    .map((tensor, i) => readTensor(r, tensor, i, buffers));
  const inRange = (list: number[], what: string, allowOptional: boolean) => {
    for (const i of list) {
      if ((allowOptional && i === -1) || (i >= 0 && i < tensors.length)) continue;
      r.fail(`${what} refers to tensor ${i}, but there are ${tensors.length}`);
    }
    return list;
  };
  const inputs = inRange(t.int32s(SubGraphField.inputs, "inputs"), "the subgraph's inputs", false);
  const outputs = inRange(
    t.int32s(SubGraphField.outputs, "outputs"),
    "the subgraph's outputs",
    false,
  );
  const operators = t.tables(SubGraphField.operators, "operator").map((op, i) => {
    const what = `operator ${i}`;
    const opcodeIndex = op.uint32(OperatorField.opcode_index);
    if (opcodeIndex >= codes.length) {
      r.fail(`${what} uses operator code ${opcodeIndex}, but there are ${codes.length}`);
    }
    const code = codes[opcodeIndex];
    const operator: TfliteOperator = {
      index: i,
      opcodeIndex,
      builtinCode: code.builtinCode,
      name: code.name,
      version: code.version,
      inputs: inRange(op.int32s(OperatorField.inputs, `${what} inputs`), `${what} inputs`, true),
      outputs: inRange(
        op.int32s(OperatorField.outputs, `${what} outputs`),
        `${what} outputs`,
        false,
      ),
      options: readOptions(r, op, what),
    };
    return operator;
  });
  return {
    name: t.string(SubGraphField.name, "the subgraph name"),
    tensors,
    operators,
    inputs,
    outputs,
  };
}

function readTensor(
  r: Bytes,
  t: Table,
  index: number,
  buffers: (Uint8Array | undefined)[],
): TfliteTensor {
  const what = `tensor ${index}`;
  const shape = t.int32s(TensorField.shape, `the shape of ${what}`);
  if (shape.length > MAX_RANK) r.fail(`${what} has rank ${shape.length}`);
  const type = t.int8(TensorField.type);
  const typeName = tensorTypeNames[type];
  if (typeName === undefined) r.fail(`${what} has an unknown type ${type}`);
  const buffer = t.uint32(TensorField.buffer);
  if (buffer >= buffers.length) {
    r.fail(`${what} uses buffer ${buffer}, but there are ${buffers.length}`);
  }
  let elements = 1;
  for (const d of shape) {
    if (d < 0) r.fail(`${what} has a negative dimension (${d})`);
    elements *= d;
  }
  const width = tensorTypeBytes[type];
  const byteSize = type === TensorType.INT4 ? Math.ceil(elements / 2) : elements * (width ?? 1);
  if (byteSize > MAX_TENSOR_BYTES) r.fail(`${what} is too large (${byteSize} bytes)`);
  const data = buffers[buffer];
  if (data && data.length > 0 && width !== undefined && data.length !== byteSize) {
    r.fail(`${what} has shape [${shape}] (${byteSize} bytes) but its buffer holds ${data.length}`);
  }
  const name = t.string(TensorField.name, `the name of ${what}`);
  const q = t.table(TensorField.quantization, `the quantization of ${what}`);
  const tensor: TfliteTensor = { index, name, shape, type, typeName, buffer };
  if (data && data.length > 0) tensor.data = data;
  if (q) {
    const scale = q.float32s(QuantizationField.scale, `the scales of ${what}`);
    const zeroPoint = q.int64s(QuantizationField.zero_point, `the zero points of ${what}`);
    const quantizedDimension = q.int32(QuantizationField.quantized_dimension);
    if (scale.length > 0 || zeroPoint.length > 0) {
      if (scale.length !== zeroPoint.length && zeroPoint.length !== 0) {
        r.fail(`${what} has ${scale.length} scales but ${zeroPoint.length} zero points`);
      }
      const problem = quantizationProblem(type, scale, zeroPoint);
      if (problem) r.fail(`${what} ${problem}`);
      if (scale.length > 1) {
        if (quantizedDimension < 0 || quantizedDimension >= shape.length) {
          r.fail(`${what} is quantized along dimension ${quantizedDimension} of [${shape}]`);
        }
        if (shape[quantizedDimension] !== scale.length) {
          r.fail(`${what} has ${scale.length} scales for ${shape[quantizedDimension]} channels`);
        }
      }
      const min = q.float32s(QuantizationField.min, `the minima of ${what}`);
      const max = q.float32s(QuantizationField.max, `the maxima of ${what}`);
      tensor.quantization = {
        scale,
        zeroPoint,
        quantizedDimension,
        ...(min.length ? { min } : {}),
        ...(max.length ? { max } : {}),
      };
    }
  }
  return tensor;
}

/** Each integer type's zero-point range (a runtime reads the zero point as that type). */
const ZERO_POINT_RANGE: Partial<Record<number, [number, number]>> = {
  [TensorType.INT8]: [-128, 127],
  [TensorType.UINT8]: [0, 255],
  [TensorType.INT16]: [-32768, 32767],
  [TensorType.INT4]: [-8, 7],
  [TensorType.INT32]: [-(2 ** 31), 2 ** 31 - 1],
};

/** Scales must be finite and positive and zero points inside their type; undefined when so. */
function quantizationProblem(
  type: number,
  scale: number[],
  zeroPoint: number[],
): string | undefined {
  const badScale = scale.find((s) => !(Number.isFinite(s) && s > 0));
  if (badScale !== undefined) return `has a quantization scale of ${badScale}`;
  const range = ZERO_POINT_RANGE[type];
  const badZero = range && zeroPoint.find((z) => z < range[0] || z > range[1]);
  if (range && badZero !== undefined) {
    return `has a zero point of ${badZero}, outside ${tensorTypeNames[type].toLowerCase()}'s ${range[0]}…${range[1]}`;
  }
  return undefined;
}

/** Decodes the options of the ops DigitKit knows (ops/registry.ts); others keep an empty record. */
function readOptions(r: Bytes, op: Table, what: string): Record<string, OptionValue> {
  const type = op.uint8(OperatorField.builtin_options_type);
  if (type === BuiltinOptions.NONE) return {};
  const t = op.table(OperatorField.builtin_options, `the options of ${what}`);
  if (!t) return {};
  const codec = optionsCodecOfType(type);
  if (!codec) {
    r.spend(1);
    return {};
  }
  return codec.read(t, what);
}

function readSignature(
  r: Bytes,
  t: Table,
  index: number,
  subgraphs: TfliteSubgraph[],
): TfliteSignature {
  const subgraphIndex = t.uint32(SignatureDefField.subgraph_index);
  if (subgraphIndex >= subgraphs.length) {
    r.fail(
      `signature ${index} refers to subgraph ${subgraphIndex}, but there are ${subgraphs.length}`,
    );
  }
  const count = subgraphs[subgraphIndex].tensors.length;
  const maps = (slot: number, what: string) =>
    t.tables(slot, what).map((m) => {
      const tensorIndex = m.uint32(TensorMapField.tensor_index);
      if (tensorIndex >= count)
        r.fail(`${what} refers to tensor ${tensorIndex}, but there are ${count}`);
      return { name: m.string(TensorMapField.name, `the name of ${what}`), tensorIndex };
    });
  return {
    key: t.string(SignatureDefField.signature_key, "the signature key"),
    subgraphIndex,
    inputs: maps(SignatureDefField.inputs, `signature ${index} input`),
    outputs: maps(SignatureDefField.outputs, `signature ${index} output`),
  };
}
