import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";

let ready: Promise<void> | undefined;

/**
 * Selects the TF.js `wasm` backend (XNNPACK, SIMD) for this thread. In tfjs-backend-wasm 4.22
 * only the untransposed BatchMatMul reaches XNNPACK; with transposeA/transposeB (every backward
 * pass) it falls to a scalar loop up to 20× slower. So BatchMatMul is re-registered to transpose
 * its operands explicitly (a cheap copy) and then take the fast path.
 */
export function useWasmBackend(): Promise<void> {
  ready ??= (async () => {
    tf.env().set("IS_TEST", false);
    await tf.setBackend("wasm");
    await tf.ready();
    const fast = tf.getKernel("BatchMatMul", "wasm")?.kernelFunc;
    patchBatchMatMul();
    if (fast && !tf.getKernel("Conv2DBackpropFilter", "wasm")) registerConv2DBackpropFilter(fast);
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
