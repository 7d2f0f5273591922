import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";

let ready: Promise<void> | undefined;

/**
 * Selects the TF.js `wasm` backend (XNNPACK, SIMD) for this thread. In tfjs-backend-wasm 4.22
 * only the untransposed BatchMatMul reaches XNNPACK; with transposeA/transposeB (every backward
 * pass) it falls to a scalar loop up to 20× slower. So BatchMatMul is re-registered to transpose
 * its operands explicitly (a cheap copy) and then take the fast path. The CNN's gradients get the
 * same treatment: Conv2DBackpropFilter (missing) is added, Conv2DBackpropInput and MaxPoolGrad
 * (slow loops) are replaced for the usual cases (each is described below).
 */
export function useWasmBackend(): Promise<void> {
  ready ??= (async () => {
    tf.env().set("IS_TEST", false);
    await tf.setBackend("wasm");
    await tf.ready();
    const fast = tf.getKernel("BatchMatMul", "wasm")?.kernelFunc;
    patchBatchMatMul();
    if (fast && !tf.getKernel("Conv2DBackpropFilter", "wasm")) registerConv2DBackpropFilter(fast);
    patchConv2DBackpropInput();
    patchMaxPoolGrad();
  })();
  return ready;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function patchBatchMatMul(): void {
  const original = tf.getKernel("BatchMatMul", "wasm");
  const transpose = tf.getKernel("Transpose", "wasm");
  if (!original || !transpose) return;
  const fast = original.kernelFunc;
  const swapLastTwo = (x: tf.TensorInfo, backend: tf.KernelBackend) => {
    const rank = x.shape.length;
    const perm = [...Array(rank).keys()];
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
    return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
  };
  tf.unregisterKernel("BatchMatMul", "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args: KernelArgs) => {
      const { attrs } = args;
      const backend = args.backend as tf.KernelBackend;
      const inputs = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return fast(args);
      const a = transposeA ? swapLastTwo(inputs.a, backend) : inputs.a;
      const b = transposeB ? swapLastTwo(inputs.b, backend) : inputs.b;
      const out = fast({
        inputs: { a, b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      if (transposeA) backend.disposeData(a.dataId);
      if (transposeB) backend.disposeData(b.dataId);
      return out;
    },
  });
}

/** The parts of the wasm backend used here (tfjs-backend-wasm's BackendWasm). */
interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/**
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter (the filter gradient every convolution
 * needs in training). This one lays the input out as columns (im2col, transposed: one row per
 * filter tap and input channel, one column per output position) and multiplies by dy on the
 * XNNPACK path: dW = colsᵀ · dy, reshaped to the filter's shape.
 */
function registerConv2DBackpropFilter(fast: tf.KernelFunc): void {
  const reshape = tf.getKernel("Reshape", "wasm");
  if (!reshape) return;
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend: anyBackend, attrs }) => {
      const backend = anyBackend as WasmBackend;
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as {
        strides: [number, number] | number;
        pad: "valid" | "same" | number;
        dataFormat: "NHWC" | "NCHW";
        dimRoundingMode?: "floor" | "round" | "ceil";
        filterShape: [number, number, number, number];
      };
      if (a.dataFormat === "NCHW") throw new Error("Conv2DBackpropFilter: NCHW is not supported");
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        a.filterShape,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
      );
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
      const {
        filterHeight,
        filterWidth,
        strideHeight,
        strideWidth,
        dilationHeight,
        dilationWidth,
      } = info;
      const positions = batchSize * outHeight * outWidth;
      const taps = filterHeight * filterWidth * inChannels;
      const cols = backend.makeOutput([1, taps, positions], "float32");
      // Views into the wasm heap, taken after the allocation (which may grow and move the heap).
      const colsView = backend.typedArrayFromHeap(cols);
      const xView = backend.typedArrayFromHeap(x);
      const { top, left } = info.padInfo;
      for (let fy = 0; fy < filterHeight; fy++) {
        for (let fx = 0; fx < filterWidth; fx++) {
          for (let c = 0; c < inChannels; c++) {
            let m = ((fy * filterWidth + fx) * inChannels + c) * positions;
            for (let b = 0; b < batchSize; b++) {
              for (let oy = 0; oy < outHeight; oy++) {
                const iy = oy * strideHeight - top + fy * dilationHeight;
                const rowOk = iy >= 0 && iy < inHeight;
                for (let ox = 0; ox < outWidth; ox++) {
                  const ix = ox * strideWidth - left + fx * dilationWidth;
                  colsView[m++] =
                    rowOk && ix >= 0 && ix < inWidth
                      ? xView[((b * inHeight + iy) * inWidth + ix) * inChannels + c]
                      : 0;
                }
              }
            }
          }
        }
      }
      const dy3 = reshape.kernelFunc({
        inputs: { x: dy },
        backend,
        attrs: { shape: [1, positions, outChannels] },
      }) as tf.TensorInfo;
      const product = fast({
        inputs: { a: cols, b: dy3 },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
      backend.disposeData(cols.dataId);
      backend.disposeData(dy3.dataId);
      const out = reshape.kernelFunc({
        inputs: { x: product },
        backend,
        attrs: { shape: a.filterShape },
      }) as tf.TensorInfo;
      backend.disposeData(product.dataId);
      return out;
    },
  });
}

/**
 * tfjs-backend-wasm's Conv2DBackpropInput is a plain loop (about 10× slower than the forward
 * convolution). For stride 1 and symmetric padding the input gradient is itself a convolution:
 * dy, padded by (filter − 1 − pad), convolved with the filter rotated 180° and its channels
 * swapped. That runs on XNNPACK's Conv2D; other cases keep the original kernel.
 */
function patchConv2DBackpropInput(): void {
  const original = tf.getKernel("Conv2DBackpropInput", "wasm");
  const conv = tf.getKernel("Conv2D", "wasm");
  if (!original || !conv) return;
  tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const backend = args.backend as WasmBackend;
      const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const a = args.attrs as unknown as {
        strides: [number, number] | number;
        pad: "valid" | "same" | number;
        dataFormat: "NHWC" | "NCHW";
        dimRoundingMode?: "floor" | "round" | "ceil";
        inputShape: [number, number, number, number];
      };
      const [fh, fw, inC, outC] = filter.shape;
      const info = tf.backend_util.computeConv2DInfo(
        a.inputShape,
        filter.shape as [number, number, number, number],
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
      );
      const { top, left, bottom, right } = info.padInfo;
      const symmetric = top === bottom && left === right && fh - 1 - top === fw - 1 - left;
      if (
        a.dataFormat === "NCHW" ||
        info.strideHeight !== 1 ||
        info.strideWidth !== 1 ||
        !symmetric
      ) {
        return original.kernelFunc(args);
      }
      const flipped = backend.makeOutput([fh, fw, outC, inC], "float32");
      const to = backend.typedArrayFromHeap(flipped);
      const from = backend.typedArrayFromHeap(filter);
      for (let y = 0; y < fh; y++) {
        for (let x = 0; x < fw; x++) {
          for (let i = 0; i < inC; i++) {
            for (let o = 0; o < outC; o++) {
              to[((y * fw + x) * outC + o) * inC + i] =
                from[(((fh - 1 - y) * fw + (fw - 1 - x)) * inC + i) * outC + o];
            }
          }
        }
      }
      const out = conv.kernelFunc({
        inputs: { x: dy, filter: flipped },
        backend,
        attrs: {
          strides: 1,
          pad: fh - 1 - top,
          dataFormat: "NHWC",
          dilations: 1,
          ...(a.dimRoundingMode ? { dimRoundingMode: a.dimRoundingMode } : {}),
        },
      }) as tf.TensorInfo;
      backend.disposeData(flipped.dataId);
      return out;
    },
  });
}

/**
 * tfjs-backend-wasm's MaxPoolGrad is a slow generic loop. For the usual pooling (no padding,
 * windows that do not overlap) this routes each gradient to the first maximum of its window,
 * as TensorFlow does; other cases keep the original kernel.
 */
function patchMaxPoolGrad(): void {
  const original = tf.getKernel("MaxPoolGrad", "wasm");
  if (!original) return;
  tf.unregisterKernel("MaxPoolGrad", "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const backend = args.backend as WasmBackend;
      const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const a = args.attrs as unknown as {
        filterSize: [number, number] | number;
        strides: [number, number] | number;
        pad: "valid" | "same" | number;
      };
      const [ph, pw] =
        typeof a.filterSize === "number" ? [a.filterSize, a.filterSize] : a.filterSize;
      const [sh, sw] = typeof a.strides === "number" ? [a.strides, a.strides] : a.strides;
      if (a.pad !== "valid" || ph !== sh || pw !== sw) return original.kernelFunc(args);
      const [batch, height, width, channels] = input.shape;
      const [, outH, outW] = dy.shape;
      const dx = backend.makeOutput(input.shape, "float32");
      const out = backend.typedArrayFromHeap(dx);
      out.fill(0);
      const x = backend.typedArrayFromHeap(input);
      const g = backend.typedArrayFromHeap(dy);
      let k = 0;
      for (let b = 0; b < batch; b++) {
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            for (let c = 0; c < channels; c++, k++) {
              let best = -1;
              let bestValue = Number.NEGATIVE_INFINITY;
              for (let y = oy * sh; y < oy * sh + ph; y++) {
                for (let xx = ox * sw; xx < ox * sw + pw; xx++) {
                  const at = ((b * height + y) * width + xx) * channels + c;
                  if (x[at] > bestValue) {
                    bestValue = x[at];
                    best = at;
                  }
                }
              }
              if (best >= 0) out[best] += g[k];
            }
          }
        }
      }
      return dx;
    },
  });
}
