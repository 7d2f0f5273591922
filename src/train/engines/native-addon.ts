import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { UserError } from "../../util/errors.ts";
import type { OptimizerName } from "../optimizers.ts";

/** A row-major matrix inside a flat array: element (i, j) at offset + i·ld + j. */
export interface MatrixView {
  data: Float32Array;
  /** Where the matrix starts (default 0). */
  offset?: number;
  /** Distance between rows. */
  ld: number;
}

/**
 * One product C (m × n) = post(bias + A (m × k) · B (k × n)) for NativeKernels.gemm: post is
 * relu when `relu`, then zero wherever `mask` ≤ 0 (the relu's gradient, by the forward output).
 */
export interface GemmDescription {
  c: MatrixView;
  /** `transposed`: the view holds Aᵀ (k × m), read with swapped strides (no copy). */
  a: MatrixView & { transposed?: boolean };
  b: MatrixView;
  m: number;
  n: number;
  k: number;
  /** bias[i] per row of C, or bias[j] per column with `perColumn` (rows of samples). */
  bias?: { data: Float32Array; offset?: number; perColumn?: boolean };
  relu?: boolean;
  mask?: MatrixView;
}

/** The instruction set paths of the GEMM and RMSprop (native/kernels.h), slowest first. */
export const NATIVE_ISAS = ["plain", "avx2", "avx512"] as const;
export type NativeIsa = (typeof NATIVE_ISAS)[number];

/**
 * DigitKit's optional native kernels (native/digitkit-native.cc, built by `npm install` when a
 * C++ compiler is at hand) on one instruction set path. Offsets, strides and sizes count floats
 * and must be whole numbers; every call checks its arguments and throws rather than reading or
 * writing outside its operands: a TypeError for an argument of the wrong kind, a RangeError for
 * one out of bounds.
 */
export interface NativeKernels {
  /** The path the GEMM and the RMSprop update run on: plain C++, AVX2 + FMA or AVX-512. */
  isa: string;
  /** Every output element is its init then one multiply-add per k, k in order (kernels.h). */
  gemm(product: GemmDescription): void;
  /** dst[j·ldd + i] = src[i·lds + j] for a rows × cols block of src. */
  transpose(
    dst: Float32Array,
    dOff: number,
    ldd: number,
    src: Float32Array,
    sOff: number,
    lds: number,
    rows: number,
    cols: number,
  ): void;
  /** dst[dOff + i] = Σ_j src[sOff + i·lds + j], summed in order of j. */
  rowSums(
    dst: Float32Array,
    dOff: number,
    src: Float32Array,
    sOff: number,
    lds: number,
    rows: number,
    cols: number,
  ): void;
  /**
   * Row k of dst (`pixels` floats from dOff) = item order[from + k] of src (item from + k when
   * order is null), bytes scaled to [0, 1] with the same bits as JS's byte / 255.
   */
  scaleBytes(
    dst: Float32Array,
    dOff: number,
    src: Uint8Array,
    order: Int32Array | null,
    from: number,
    n: number,
    pixels: number,
  ): void;
  /**
   * The rows of im2col for a 3×3 valid convolution of n NHWC images (h × w × c):
   * row (s, y, x) = the patch at (y, x) in the order (dy, dx, channel) of an HWIO kernel.
   */
  im2col3x3(
    cols: Float32Array,
    images: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
  ): void;
  /** The adjoint of im2col3x3: images (overwritten) = each patch row added where it came from. */
  col2im3x3(
    images: Float32Array,
    cols: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
  ): void;
  /** 2×2 max-pooling, stride 2, of n NHWC images; argmax = index into images of each maximum. */
  maxPool2(
    out: Float32Array,
    argmax: Int32Array,
    images: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
  ): void;
  /**
   * The gradient of maxPool2 for the same n images: dImages (overwritten) = dOut at each argmax,
   * zero elsewhere; with `relu`, zero too where the image is ≤ 0 (a relu before the pool).
   */
  maxPool2Backward(
    dImages: Float32Array,
    dOut: Float32Array,
    argmax: Int32Array,
    images: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
    relu: boolean,
  ): void;
  /** dst[dOff + j] = Σ_i src[sOff + i·cols + j], summed in order of i. */
  colSums(
    dst: Float32Array,
    dOff: number,
    src: Float32Array,
    sOff: number,
    rows: number,
    cols: number,
  ): void;
  /** One optimizer step on params[lo, hi) (kind 0 RMSprop, 1 Adam, 2 SGD; see optimizers.ts). */
  update(
    kind: number,
    params: Float32Array,
    state: Float32Array,
    grads: Float32Array,
    lo: number,
    hi: number,
    learningRate: number,
    step: number,
  ): void;
}

export const NATIVE_ADDON = fileURLToPath(
  new URL("../../../native/build/Release/digitkit_native.node", import.meta.url),
);

/** The addon as built: gemm and update take the index of a path in `isas` first. */
interface Addon extends Omit<NativeKernels, "isa" | "gemm" | "update"> {
  /** The paths this CPU can run: "naive", "naive-fused", "plain", then the vector ones. */
  isas: string[];
  // biome-ignore format: one matrix's arguments to a line
  gemm(
    isa: number,
    c: Float32Array, cOff: number, ldc: number,
    a: Float32Array, aOff: number, aRowStride: number, aColStride: number,
    b: Float32Array, bOff: number, ldb: number,
    m: number, n: number, k: number,
    bias: Float32Array | null, biasOff: number, relu: boolean,
    mask: Float32Array | null, maskOff: number, ldm: number,
    biasPerColumn: boolean,
  ): void;
  update(isa: number, ...args: Parameters<NativeKernels["update"]>): void;
}

let addon: Addon | null | undefined;
const bound = new Map<string, NativeKernels>();

/** Whether DIGITKIT_NATIVE=0 asks for the wasm engine. */
export function nativeDisabled(): boolean {
  return process.env.DIGITKIT_NATIVE === "0";
}

function loadAddon(): Addon | undefined {
  if (addon === undefined) {
    addon = null;
    if (existsSync(NATIVE_ADDON)) {
      try {
        addon = createRequire(import.meta.url)(NATIVE_ADDON) as Addon;
      } catch {
        // Built for another Node: the wasm engine still works.
      }
    }
  }
  return addon ?? undefined;
}

/** The fastest path this CPU runs, or the one DIGITKIT_NATIVE_ISA names. */
function chosenIsa(available: string[]): string {
  const asked = process.env.DIGITKIT_NATIVE_ISA;
  if (asked === undefined || asked === "") return available[available.length - 1];
  if (!(NATIVE_ISAS as readonly string[]).includes(asked) || !available.includes(asked)) {
    const runs = available.filter((isa) => (NATIVE_ISAS as readonly string[]).includes(isa));
    throw new UserError(
      `DIGITKIT_NATIVE_ISA=${asked}: this CPU runs the native kernels as ${runs.join(", ")}`,
    );
  }
  return asked;
}

/**
 * The native kernels on one path (default: the fastest this CPU runs, or DIGITKIT_NATIVE_ISA's),
 * or undefined when they were not built. Tests also ask for "naive" and "naive-fused", the
 * element-by-element references of kernels.h.
 */
export function loadNativeKernels(isa?: string): NativeKernels | undefined {
  const raw = loadAddon();
  if (!raw) return undefined;
  const name = isa ?? chosenIsa(raw.isas);
  const index = raw.isas.indexOf(name);
  if (index < 0) return undefined;
  let kernels = bound.get(name);
  if (!kernels) {
    kernels = {
      ...raw,
      isa: name,
      gemm({ c, a, b, m, n, k, bias, relu, mask }) {
        const [rowStride, colStride] = a.transposed ? [1, a.ld] : [a.ld, 1];
        // biome-ignore format: one matrix's arguments to a line
        raw.gemm(
          index,
          c.data, c.offset ?? 0, c.ld,
          a.data, a.offset ?? 0, rowStride, colStride,
          b.data, b.offset ?? 0, b.ld,
          m, n, k,
          bias?.data ?? null, bias?.offset ?? 0, relu ?? false,
          mask?.data ?? null, mask?.offset ?? 0, mask?.ld ?? 0,
          bias?.perColumn ?? false,
        );
      },
      update: (...args) => raw.update(index, ...args),
    };
    bound.set(name, kernels);
  }
  return kernels;
}

/** The paths this CPU runs the native kernels on ([] when not built). */
export function nativeIsas(): string[] {
  return loadAddon()?.isas ?? [];
}

/** The native kernels on `isa`, for an engine that cannot run without them. */
export function requireNativeKernels(isa?: string): NativeKernels {
  const native = loadNativeKernels(isa);
  if (!native) throw new Error("native kernels not built (npm run build:native)");
  return native;
}

/** The `kind` of NativeKernels.update for each optimizer. */
export const UPDATE_KIND: Record<OptimizerName, number> = { rmsprop: 0, adam: 1, sgd: 2 };
