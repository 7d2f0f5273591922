/**
 * A small TypeScript path for the float32 models DigitKit ships (FULLY_CONNECTED, CONV_2D,
 * MAX_POOL_2D, RESHAPE, SOFTMAX, fused RELU/RELU6): the app answers with it on a first visit
 * without downloading LiteRT's ~9 MB of wasm. Anything else (quantized weights, other ops,
 * several inputs) is not planned here (null) and goes to the official runtime. A test holds this
 * path to LiteRT's answers: same digit, probabilities within 1e-5 (test/runtime/plain-model.test.ts).
 * Pure TypeScript, no Node, no DOM.
 */
import { readTflite, type TfliteOperator, type TfliteTensor } from "../tflite/reader.ts";
import { BuiltinOperator, TensorType } from "../tflite/schema.ts";
import type { TfliteModel } from "./tflite-runtime.ts";

type Step = (values: Float32Array[]) => void;

const SUPPORTED = new Set<number>([
  BuiltinOperator.FULLY_CONNECTED,
  BuiltinOperator.CONV_2D,
  BuiltinOperator.MAX_POOL_2D,
  BuiltinOperator.RESHAPE,
  BuiltinOperator.SOFTMAX,
]);

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A fused activation as the range it clamps to (RELU: [0, ∞), RELU6: [0, 6], none: everything),
 * applied inline by the kernels: one function called per output value cost more than the sums.
 */
interface Clamp {
  lo: number;
  hi: number;
}

/** v within [lo, hi]. */
function clampTo(v: number, lo: number, hi: number): number {
  if (v < lo) return lo;
  if (v > hi) return hi;
  return v;
}

function activation(name: unknown): Clamp {
  if (name === "RELU") return { lo: 0, hi: Number.POSITIVE_INFINITY };
  if (name === "RELU6") return { lo: 0, hi: 6 };
  return { lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY };
}

/** Whether every op and tensor is one this path computes exactly as TFLite's float kernels do. */
function supported(ops: TfliteOperator[], tensors: TfliteTensor[]): boolean {
  const acts = new Set(["NONE", "RELU", "RELU6", undefined]);
  return ops.every(
    (op) =>
      SUPPORTED.has(op.builtinCode) &&
      acts.has(op.options.activation as string | undefined) &&
      (op.options.padding === undefined || op.options.padding === "VALID") &&
      op.outputs.length === 1 &&
      op.inputs.every(
        (i) =>
          i < 0 ||
          tensors[i].type === TensorType.FLOAT32 ||
          (op.builtinCode === BuiltinOperator.RESHAPE && tensors[i].type === TensorType.INT32),
      ),
  );
}

/** A model this path can run, or null (the caller then uses the official runtime). */
export function planPlainModel(bytes: Uint8Array): TfliteModel | null {
  const file = readTflite(bytes);
  if (file.subgraphs.length !== 1) return null;
  const graph = file.subgraphs[0];
  const { tensors, operators } = graph;
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) return null;
  if (!supported(operators, tensors)) return null;
  const input = graph.inputs[0];
  const output = graph.outputs[0];
  if (tensors[input].type !== TensorType.FLOAT32 || tensors[output].type !== TensorType.FLOAT32) {
    return null;
  }
  for (const t of tensors) {
    if (t.type === TensorType.FLOAT32 && t.data?.length && t.data.length !== size(t.shape) * 4) {
      return null;
    }
  }
  // Constants copied out of the file (its views need not be 4-byte aligned); activations allocated once.
  const values: Float32Array[] = tensors.map((t) =>
    t.data?.length && t.type === TensorType.FLOAT32
      ? new Float32Array(new Uint8Array(t.data).buffer)
      : new Float32Array(t.data?.length ? 0 : size(t.shape)),
  );
  const steps: Step[] = [];
  for (const op of operators) {
    const step = planStep(
      op,
      tensors,
      readExtent(op.outputs[0], operators, tensors, graph.outputs),
    );
    if (!step) return null;
    steps.push(step);
  }
  const inputSize = size(tensors[input].shape);
  return {
    inputShape: [...tensors[input].shape],
    outputShape: [...tensors[output].shape],
    run(x: Float32Array): Float32Array {
      if (x.length !== inputSize)
        throw new RangeError(`expected ${inputSize} inputs, got ${x.length}`);
      values[input].set(x);
      for (const step of steps) step(values);
      return values[output];
    },
    dispose() {},
  };
}

/** The non-zero inputs of one dot product: their values and the offsets of their weight rows. */
interface Gathered {
  values: Float64Array;
  rows: Int32Array;
}

function gatherBuffers(length: number): Gathered {
  return { values: new Float64Array(length), rows: new Int32Array(length) };
}

/**
 * out[at + u] = act(bias[u] + Σ_j values[j] · w[rows[j] + u]) for u < units: the sums of one
 * output position. Eight units at a time in local sums (registers, not memory), each summed in
 * float64 in the order of j, so every output is the same number a plain per-unit loop gives.
 */
function dotRows(
  { values, rows }: Gathered,
  n: number,
  w: Float32Array,
  units: number,
  bias: Float32Array | null,
  { lo, hi }: Clamp,
  out: Float32Array,
  at: number,
): void {
  let u = 0;
  for (; u + 8 <= units; u += 8) {
    let s0 = bias ? bias[u] : 0;
    let s1 = bias ? bias[u + 1] : 0;
    let s2 = bias ? bias[u + 2] : 0;
    let s3 = bias ? bias[u + 3] : 0;
    let s4 = bias ? bias[u + 4] : 0;
    let s5 = bias ? bias[u + 5] : 0;
    let s6 = bias ? bias[u + 6] : 0;
    let s7 = bias ? bias[u + 7] : 0;
    for (let j = 0; j < n; j++) {
      const xv = values[j];
      const r = rows[j] + u;
      s0 += xv * w[r];
      s1 += xv * w[r + 1];
      s2 += xv * w[r + 2];
      s3 += xv * w[r + 3];
      s4 += xv * w[r + 4];
      s5 += xv * w[r + 5];
      s6 += xv * w[r + 6];
      s7 += xv * w[r + 7];
    }
    out[at + u] = clampTo(s0, lo, hi);
    out[at + u + 1] = clampTo(s1, lo, hi);
    out[at + u + 2] = clampTo(s2, lo, hi);
    out[at + u + 3] = clampTo(s3, lo, hi);
    out[at + u + 4] = clampTo(s4, lo, hi);
    out[at + u + 5] = clampTo(s5, lo, hi);
    out[at + u + 6] = clampTo(s6, lo, hi);
    out[at + u + 7] = clampTo(s7, lo, hi);
  }
  for (; u + 4 <= units; u += 4) {
    let s0 = bias ? bias[u] : 0;
    let s1 = bias ? bias[u + 1] : 0;
    let s2 = bias ? bias[u + 2] : 0;
    let s3 = bias ? bias[u + 3] : 0;
    for (let j = 0; j < n; j++) {
      const xv = values[j];
      const r = rows[j] + u;
      s0 += xv * w[r];
      s1 += xv * w[r + 1];
      s2 += xv * w[r + 2];
      s3 += xv * w[r + 3];
    }
    out[at + u] = clampTo(s0, lo, hi);
    out[at + u + 1] = clampTo(s1, lo, hi);
    out[at + u + 2] = clampTo(s2, lo, hi);
    out[at + u + 3] = clampTo(s3, lo, hi);
  }
  for (; u < units; u++) {
    let s = bias ? bias[u] : 0;
    for (let j = 0; j < n; j++) s += values[j] * w[rows[j] + u];
    out[at + u] = clampTo(s, lo, hi);
  }
}

/** A rows×cols matrix as cols×rows. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

/**
 * The rows and columns of a feature map (NHWC) that are read after it is made: all of them,
 * unless its one reader is a VALID max pool whose windows stop short of the edge (the CNN's
 * 11×11 second convolution feeds a 2×2 pool that reads 10×10 of it; the rest need not be summed).
 */
function readExtent(
  tensor: number,
  operators: TfliteOperator[],
  tensors: TfliteTensor[],
  graphOutputs: number[],
): { rows: number; cols: number } | null {
  const readers = operators.filter((op) => op.inputs.includes(tensor));
  if (readers.length !== 1 || graphOutputs.includes(tensor)) return null;
  const [pool] = readers;
  if (pool.builtinCode !== BuiltinOperator.MAX_POOL_2D || pool.inputs[0] !== tensor) return null;
  const [, outH, outW] = tensors[pool.outputs[0]].shape;
  const [sh, sw] = pool.options.stride as number[];
  const [fh, fw] = pool.options.filter as number[];
  return { rows: (outH - 1) * sh + fh, cols: (outW - 1) * sw + fw };
}

function planStep(
  op: TfliteOperator,
  tensors: TfliteTensor[],
  extent: { rows: number; cols: number } | null,
): Step | null {
  const shape = (i: number) => tensors[i].shape;
  const [xi, wi, bi] = op.inputs;
  const oi = op.outputs[0];
  const act = activation(op.options.activation);
  switch (op.builtinCode) {
    case BuiltinOperator.FULLY_CONNECTED: {
      const [units, inputs] = shape(wi);
      if (size(shape(xi)) !== inputs || size(shape(oi)) !== units) return null;
      // Weights transposed once to [inputs][units], so each input that is not zero (ReLU outputs
      // and blank pixels mostly are) adds one contiguous row of units.
      let wT: Float32Array | null = null;
      const gathered = gatherBuffers(inputs);
      return (v) => {
        const x = v[xi];
        wT ??= transpose(v[wi], units, inputs);
        let n = 0;
        for (let i = 0; i < inputs; i++) {
          const xv = x[i];
          if (xv === 0) continue;
          gathered.values[n] = xv;
          gathered.rows[n++] = i * units;
        }
        dotRows(gathered, n, wT, units, bi >= 0 ? v[bi] : null, act, v[oi], 0);
      };
    }
    case BuiltinOperator.CONV_2D: {
      const [, inH, inW, inC] = shape(xi);
      const [outC, kh, kw, wc] = shape(wi);
      const [, outH, outW] = shape(oi);
      const [sh, sw] = op.options.stride as number[];
      const [dh, dw] = (op.options.dilation as number[]) ?? [1, 1];
      if (wc !== inC || (outH - 1) * sh + (kh - 1) * dh >= inH) return null;
      if ((outW - 1) * sw + (kw - 1) * dw >= inW || size(shape(oi)) !== outH * outW * outC)
        return null;
      // The same idea: weights as [kh·kw·inC][outC], so each non-zero input value of a window
      // adds one contiguous row of output channels.
      let wT: Float32Array | null = null;
      const gathered = gatherBuffers(kh * kw * inC);
      // Outputs nothing reads stay zero (the tensor is allocated once and only read by the pool).
      const rowsRead = Math.min(outH, extent?.rows ?? outH);
      const colsRead = Math.min(outW, extent?.cols ?? outW);
      return (v) => {
        const x = v[xi];
        wT ??= transpose(v[wi], outC, kh * kw * inC);
        const b = bi >= 0 ? v[bi] : null;
        const out = v[oi];
        const { values, rows } = gathered;
        for (let oy = 0; oy < rowsRead; oy++) {
          for (let ox = 0; ox < colsRead; ox++) {
            let n = 0;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh + ky * dh;
              for (let kx = 0; kx < kw; kx++) {
                const xBase = (iy * inW + ox * sw + kx * dw) * inC;
                const wBase = (ky * kw + kx) * inC;
                for (let ic = 0; ic < inC; ic++) {
                  const xv = x[xBase + ic];
                  if (xv === 0) continue;
                  values[n] = xv;
                  rows[n++] = (wBase + ic) * outC;
                }
              }
            }
            dotRows(gathered, n, wT, outC, b, act, out, (oy * outW + ox) * outC);
          }
        }
      };
    }
    case BuiltinOperator.MAX_POOL_2D: {
      const [, inH, inW, channels] = shape(xi);
      const [, outH, outW] = shape(oi);
      const [sh, sw] = op.options.stride as number[];
      const [fh, fw] = op.options.filter as number[];
      if ((outH - 1) * sh + fh > inH || (outW - 1) * sw + fw > inW) return null;
      const { lo, hi } = act;
      return (v) => {
        const x = v[xi];
        const out = v[oi];
        // Channels innermost: each window row is read as contiguous runs of channels, the
        // window's first pixel taken as it is and the others kept where larger.
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            const o = (oy * outW + ox) * channels;
            const first = (oy * sh * inW + ox * sw) * channels;
            for (let c = 0; c < channels; c++) out[o + c] = x[first + c];
            for (let ky = 0; ky < fh; ky++) {
              for (let kx = ky === 0 ? 1 : 0; kx < fw; kx++) {
                const from = ((oy * sh + ky) * inW + ox * sw + kx) * channels;
                for (let c = 0; c < channels; c++) {
                  const value = x[from + c];
                  if (value > out[o + c]) out[o + c] = value;
                }
              }
            }
            if (lo === Number.NEGATIVE_INFINITY && hi === Number.POSITIVE_INFINITY) continue;
            for (let c = o; c < o + channels; c++) out[c] = clampTo(out[c], lo, hi);
          }
        }
      };
    }
    case BuiltinOperator.RESHAPE:
      if (size(shape(xi)) !== size(shape(oi))) return null;
      return (v) => v[oi].set(v[xi]);
    case BuiltinOperator.SOFTMAX: {
      const beta = Number(op.options.beta ?? 1);
      if (size(shape(xi)) !== size(shape(oi))) return null;
      return (v) => {
        const x = v[xi];
        const out = v[oi];
        let max = Number.NEGATIVE_INFINITY;
        for (const value of x) if (value > max) max = value;
        let total = 0;
        const exps = new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) {
          exps[i] = Math.exp(beta * (x[i] - max));
          total += exps[i];
        }
        for (let i = 0; i < x.length; i++) out[i] = exps[i] / total;
      };
    }
  }
  return null;
}
