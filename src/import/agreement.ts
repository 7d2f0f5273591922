import { type Tensor, tensor, tidy } from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import { loadTfliteModel } from "../runtime/tflite-runtime.ts";

/**
 * How closely a converted .tflite, run by the official runtime (LiteRT), follows the Keras
 * model's own arithmetic (TF.js Layers with the file's weights): the largest difference of any
 * output and how often both pick the same class, over the given inputs.
 */
export interface Agreement {
  n: number;
  maxDifference: number;
  sameClass: number;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

export async function measureAgreement(
  bytes: Uint8Array,
  reference: LayersModel,
  inputs: Float32Array[],
  wasmRoot: string,
): Promise<Agreement> {
  const runtime = await loadTfliteModel(bytes, wasmRoot);
  const shape = reference.inputs[0].shape.slice(1).map((d) => d ?? 1);
  let maxDifference = 0;
  let same = 0;
  try {
    const batch = 100;
    for (let start = 0; start < inputs.length; start += batch) {
      const part = inputs.slice(start, start + batch);
      const flat = new Float32Array(part.length * part[0].length);
      part.forEach((x, i) => {
        flat.set(x, i * x.length);
      });
      const expected = tidy(() => {
        const out = reference.predict(tensor(flat, [part.length, ...shape])) as Tensor;
        return out.dataSync() as Float32Array;
      });
      const classes = expected.length / part.length;
      part.forEach((x, i) => {
        const got = runtime.run(x);
        const want = expected.subarray(i * classes, (i + 1) * classes);
        for (let k = 0; k < classes; k++)
          maxDifference = Math.max(maxDifference, Math.abs(got[k] - want[k]));
        if (argmax(got) === argmax(want)) same++;
      });
    }
  } finally {
    runtime.dispose();
  }
  return { n: inputs.length, maxDifference, sameClass: inputs.length ? same / inputs.length : 0 };
}
