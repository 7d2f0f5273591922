import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { OptimizerName } from "../optimizers.ts";

/**
 * DigitKit's optional native kernels (native/digitkit-native.cc, built by `npm install` when a
 * C++ compiler is at hand). Offsets, strides and sizes count floats and must be whole numbers;
 * every call checks its arguments and throws rather than reading or writing outside its operands:
 * a TypeError for an argument of the wrong kind, a RangeError for one out of bounds.
 */
export interface NativeKernels {
  /** "avx512" or "avx2": the instruction set the kernels were compiled for. */
  isa: string;
  /**
   * C[i, j] = post(bias[i] + Σ_k A[i, k]·B[k, j]) for an m × n block of C, with A[i, k] at
   * aOff + i·aRowStride + k·aColStride; post = relu when `relu`, then zero where mask ≤ 0.
   * `biasPerColumn`: bias[j] instead of bias[i] (rows of samples, columns of units).
   */
  gemm(
    c: Float32Array,
    cOff: number,
    ldc: number,
    a: Float32Array,
    aOff: number,
    aRowStride: number,
    aColStride: number,
    b: Float32Array,
    bOff: number,
    ldb: number,
    m: number,
    n: number,
    k: number,
    bias: Float32Array | null,
    biasOff: number,
    relu: boolean,
    mask: Float32Array | null,
    maskOff: number,
    ldm: number,
    biasPerColumn?: boolean,
  ): void;
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

let loaded: NativeKernels | undefined;

/** Whether DIGITKIT_NATIVE=0 asks for the wasm engine. */
export function nativeDisabled(): boolean {
  return process.env.DIGITKIT_NATIVE === "0";
}

/** The native kernels, or undefined when they were not built (or not for this CPU). */
export function loadNativeKernels(): NativeKernels | undefined {
  if (loaded) return loaded;
  if (!existsSync(NATIVE_ADDON)) return undefined;
  try {
    loaded = createRequire(import.meta.url)(NATIVE_ADDON) as NativeKernels;
  } catch {
    // Built for another Node or CPU: the wasm engine still works.
    return undefined;
  }
  return loaded;
}

/** The native kernels, for an engine that cannot run without them. */
export function requireNativeKernels(): NativeKernels {
  const native = loadNativeKernels();
  if (!native) throw new Error("native kernels not built (npm run build:native)");
  return native;
}

/** The `kind` of NativeKernels.update for each optimizer. */
export const UPDATE_KIND: Record<OptimizerName, number> = { rmsprop: 0, adam: 1, sgd: 2 };

/** Which kernels an engine runs on, in words (training header, training.json). */
export function kernelsName(native: boolean): string {
  return native
    ? `native C++ kernels (${loadNativeKernels()?.isa ?? "?"})`
    : "TF.js wasm backend (XNNPACK)";
}
