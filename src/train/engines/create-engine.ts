import type { WorkerContext } from "../worker-context.ts";
import type { EngineChoice } from "./choice.ts";
import type { Engine } from "./engine.ts";

/**
 * A worker's engine for the main thread's choice (choice.ts): the one place they are built.
 * Each engine's module is loaded only when chosen, so a worker on the native kernels never
 * loads TF.js and its wasm backend (a second or so of every run's start-up, per worker).
 */
export async function createEngine(ctx: WorkerContext, choice: EngineChoice): Promise<Engine> {
  switch (choice.kind) {
    case "native-dense": {
      const { NativeDenseEngine } = await import("./native-dense-engine.ts");
      return new NativeDenseEngine(ctx, choice.sizes, choice.isa);
    }
    case "native-cnn": {
      const { NativeCnnEngine } = await import("./native-cnn-engine.ts");
      return new NativeCnnEngine(ctx, choice.shape, choice.isa);
    }
    case "wasm-dense": {
      const { useWasmBackend } = await import("./tfjs-wasm-backend.ts");
      const { DenseEngine } = await import("./wasm-dense-engine.ts");
      await useWasmBackend();
      return new DenseEngine(ctx, choice.sizes);
    }
    case "autodiff": {
      const { useWasmBackend } = await import("./tfjs-wasm-backend.ts");
      const { buildModel } = await import("../../model/architectures.ts");
      const { AutodiffEngine } = await import("./autodiff-engine.ts");
      const { LayersKernel } = await import("./autodiff-step.ts");
      await useWasmBackend();
      const model = buildModel(choice.arch, { dropout: choice.dropout });
      return new AutodiffEngine(ctx, new LayersKernel(model));
    }
  }
}
