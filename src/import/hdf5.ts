import { Unzlib } from "fflate";
import * as jsfive from "jsfive";
import { ImportError } from "./import-error.ts";

/**
 * Read-only HDF5 (the format of Keras `.h5` files and of the weights inside a `.keras`) through
 * jsfive, a pure-JavaScript reader that runs unchanged in the browser. jsfive trusts the file,
 * so every call here is guarded: the signature is checked first, any exception becomes one
 * ImportError line, a dataset is read only when its declared shape is the one the model needs
 * and its chunks are of bounded size, and gzip-compressed chunks inflate through a bounded
 * inflater instead of jsfive's unbounded one (an HDF5 bomb stops at the limit).
 */

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Largest chunk (elements) we let jsfive walk: its loops run over a whole chunk. */
const MAX_CHUNK_ELEMENTS = 1 << 24;
/** Attribute strings (model_config) longer than this are refused. */
const MAX_ATTRIBUTE_CHARS = 16 << 20;

// The inflated bytes allowed for the dataset being read (set around each read).
let inflateBudget = 0;

function boundedInflate(buffer: ArrayBuffer): ArrayBuffer {
  const parts: Uint8Array[] = [];
  let total = 0;
  const inflater = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > inflateBudget)
      throw new ImportError("a compressed dataset inflates past its size (an HDF5 bomb?)");
    parts.push(chunk);
  });
  const input = new Uint8Array(buffer);
  const step = 4096;
  for (let i = 0; i < input.length; i += step) {
    const end = Math.min(input.length, i + step);
    inflater.push(input.subarray(i, end), end === input.length);
  }
  inflateBudget -= total;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out.buffer;
}
jsfive.Filters.set(1, boundedInflate);

/** Runs jsfive without its console warnings (it warns about attribute types it skips). */
function quietly<T>(read: () => T): T {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return read();
  } finally {
    console.warn = warn;
  }
}

function describe(error: unknown): string {
  if (error instanceof ImportError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0].slice(0, 200);
}

export class Hdf5File {
  private readonly file: jsfive.File;

  private constructor(file: jsfive.File) {
    this.file = file;
  }

  static isHdf5(bytes: Uint8Array): boolean {
    return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
  }

  static open(bytes: Uint8Array): Hdf5File {
    if (!Hdf5File.isHdf5(bytes)) throw new ImportError("not an HDF5 file (wrong signature)");
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    try {
      return new Hdf5File(quietly(() => new jsfive.File(copy as ArrayBuffer, "model.h5")));
    } catch (error) {
      throw new ImportError(`damaged or truncated HDF5 file (${describe(error)})`);
    }
  }

  private node(path: string): jsfive.Group | jsfive.Dataset | undefined {
    try {
      return quietly(
        () => (path === "" || path === "/" ? this.file : this.file.get(path)) ?? undefined,
      );
    } catch (error) {
      throw new ImportError(`damaged or truncated HDF5 file at "${path}" (${describe(error)})`);
    }
  }

  /** Whether a group exists at `path`. */
  hasGroup(path: string): boolean {
    const node = this.node(path);
    return node instanceof jsfive.Group;
  }

  /** The names inside a group (empty if there is no such group). */
  keys(path: string): string[] {
    const node = this.node(path);
    if (!(node instanceof jsfive.Group)) return [];
    try {
      return node.keys.slice();
    } catch (error) {
      throw new ImportError(`damaged or truncated HDF5 file at "${path}" (${describe(error)})`);
    }
  }

  private attributes(path: string): Record<string, unknown> {
    const node = this.node(path);
    if (!node) return {};
    try {
      return quietly(() => node.attrs ?? {});
    } catch (error) {
      throw new ImportError(`damaged HDF5 attributes at "${path || "/"}" (${describe(error)})`);
    }
  }

  /** A string attribute (fixed or variable length), or undefined when absent. */
  stringAttribute(path: string, name: string): string | undefined {
    const value = this.attributes(path)[name];
    if (value === undefined || value === null) return undefined;
    const text = Array.isArray(value) ? value.join("") : value;
    if (typeof text !== "string") {
      throw new ImportError(`HDF5 attribute "${name}" is not text`);
    }
    if (text.length > MAX_ATTRIBUTE_CHARS) {
      throw new ImportError(`HDF5 attribute "${name}" is over ${MAX_ATTRIBUTE_CHARS} characters`);
    }
    return text.replace(/\0+$/, "");
  }

  /** A list-of-strings attribute (Keras's layer_names, weight_names), or undefined. */
  stringListAttribute(path: string, name: string): string[] | undefined {
    const value = this.attributes(path)[name];
    if (value === undefined || value === null) return undefined;
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === "string")) {
      throw new ImportError(`HDF5 attribute "${name}" at "${path || "/"}" is not a list of names`);
    }
    return (list as string[]).map((s) => s.replace(/\0/g, "").trim());
  }

  /** Whether a dataset exists at `path`. */
  hasDataset(path: string): boolean {
    return this.node(path) instanceof jsfive.Dataset;
  }

  /** The declared shape of the dataset at `path` (undefined if none). */
  datasetShape(path: string): number[] | undefined {
    const node = this.node(path);
    if (!(node instanceof jsfive.Dataset)) return undefined;
    try {
      return node.shape.slice();
    } catch (error) {
      throw new ImportError(`damaged HDF5 dataset "${path}" (${describe(error)})`);
    }
  }

  /**
   * The float values of a dataset, read only if its shape is `expected`: what a file claims
   * never decides how much we read, the model's configuration does.
   */
  readFloats(path: string, expected: number[]): Float32Array {
    const node = this.node(path);
    if (!(node instanceof jsfive.Dataset)) throw new ImportError(`no weights at "${path}"`);
    const count = expected.reduce((a, b) => a * b, 1);
    try {
      const shape = node.shape;
      if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
        throw new ImportError(
          `weights "${path}" have shape [${shape.join(",")}], the model needs [${expected.join(",")}]`,
        );
      }
      const dtype = node.dtype;
      if (typeof dtype !== "string" || !/^[<>]f[248]$/.test(dtype)) {
        throw new ImportError(`weights "${path}" are of type ${JSON.stringify(dtype)}, not float`);
      }
      const chunks = node.chunks;
      if (chunks && chunks.reduce((a, b) => a * b, 1) > MAX_CHUNK_ELEMENTS) {
        throw new ImportError(`weights "${path}" are stored in oversized chunks`);
      }
      inflateBudget = Math.max(count * 8 * 4, 1 << 20);
      const values = quietly(() => node.value);
      if (!values || values.length !== count) {
        throw new ImportError(`weights "${path}" hold ${values?.length ?? 0} values, not ${count}`);
      }
      const out = Float32Array.from(values);
      if (!out.every(Number.isFinite)) {
        throw new ImportError(`weights "${path}" contain NaN or infinite values`);
      }
      return out;
    } catch (error) {
      if (error instanceof ImportError) throw error;
      throw new ImportError(`damaged HDF5 dataset "${path}" (${describe(error)})`);
    } finally {
      inflateBudget = 0;
    }
  }
}
