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
    patchBatchMatMul();
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
