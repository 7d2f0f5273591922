import type * as tfl from "@tensorflow/tfjs-layers";
import type { Architecture } from "../../model/architectures.ts";
import { UserError } from "../../util/errors.ts";
import { type CnnShape, matchCnn } from "./cnn-layout.ts";
import { loadNativeKernels, nativeDisabled } from "./native-addon.ts";

/**
 * Which arithmetic trains a model: chosen once, on the main thread (chooseEngine), passed to
 * every worker as is (create-engine.ts builds it there), and described from the same value in
 * the training header and training.json. Fastest first:
 * - native-dense: a stack of Dense layers on the native kernels (native-dense-engine.ts);
 * - native-cnn: the CNN of architectures.ts on the native kernels (native-cnn-engine.ts);
 * - wasm-dense: the same Dense stack on TF.js wasm when the kernels are off or missing
 *   (wasm-dense-engine.ts; 1.4× faster than autodiff on the tutorial network, see README);
 * - autodiff: any Layers model through TF.js autodiff on wasm, with the reason no hand-written
 *   engine took it.
 */
export type EngineChoice =
  | { kind: "native-dense"; sizes: number[]; isa: string }
  | { kind: "native-cnn"; shape: CnnShape; isa: string }
  | { kind: "wasm-dense"; sizes: number[] }
  | { kind: "autodiff"; arch: Architecture; dropout: number; fallback: string };

/**
 * The optimizer state's layout of an engine, as training.json records it: the Dense engines
 * keep Wᵀ per layer (dense-layout.ts), the others the Layers model's own order.
 */
export type StateLayout = "dense" | "cnn" | "autodiff";

export interface EngineRequest {
  arch: Architecture;
  dropout: number;
  /**
   * Native kernels: required (true), never (false), or when built and DIGITKIT_NATIVE is not 0
   * (unset).
   */
  native?: boolean;
}

/** Dense layer sizes of a model made only of Dense layers (relu, last softmax), else undefined. */
export function denseSizes(model: tfl.LayersModel): number[] | undefined {
  const sizes = [model.inputs[0].shape[1] ?? 0];
  for (const [i, layer] of model.layers.entries()) {
    const config = layer.getConfig();
    const last = i === model.layers.length - 1;
    if (layer.getClassName() !== "Dense") return undefined;
    if (config.activation !== (last ? "softmax" : "relu") || config.useBias === false)
      return undefined;
    sizes.push(config.units as number);
  }
  return sizes;
}

export function chooseEngine(model: tfl.LayersModel, request: EngineRequest): EngineChoice {
  const kernels = request.native === false ? undefined : loadNativeKernels();
  if (request.native && !kernels) {
    throw new UserError(
      "native kernels not built: run npm run build:native (see native/build.log)",
    );
  }
  const native = (request.native ?? !nativeDisabled()) ? kernels : undefined;
  const sizes = denseSizes(model);
  if (sizes) {
    return native
      ? { kind: "native-dense", sizes, isa: native.isa }
      : { kind: "wasm-dense", sizes };
  }
  const cnn = matchCnn(model);
  if (native && typeof cnn !== "string") return { kind: "native-cnn", shape: cnn, isa: native.isa };
  const { arch, dropout } = request;
  const dense = model.layers.every((l) => ["Dense", "Dropout"].includes(l.getClassName()));
  const fallback = !native
    ? request.native === false || nativeDisabled()
      ? "native kernels off (DIGITKIT_NATIVE=0)"
      : "native kernels not built (npm run build:native)"
    : dense
      ? "the native Dense engine trains Dense layers (relu, softmax last) without dropout"
      : (cnn as string);
  return { kind: "autodiff", arch, dropout, fallback };
}

/** The optimizer state layout of a choice (the `engine` of training.json). */
export function stateLayout(choice: EngineChoice): StateLayout {
  return choice.kind === "native-dense" || choice.kind === "wasm-dense"
    ? "dense"
    : choice.kind === "native-cnn"
      ? "cnn"
      : "autodiff";
}

/** What does the arithmetic, in words (training header, training.json's `kernels`). */
export function describeEngine(choice: EngineChoice): string {
  switch (choice.kind) {
    case "native-dense":
      return `hand-written Dense passes, native C++ kernels (${choice.isa})`;
    case "native-cnn":
      return `hand-written CNN passes, native C++ kernels (${choice.isa})`;
    case "wasm-dense":
      return "hand-written Dense passes, TF.js wasm backend (XNNPACK)";
    case "autodiff":
      return `TF.js autodiff, wasm backend (XNNPACK); not native: ${choice.fallback}`;
  }
}
