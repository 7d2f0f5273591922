import { LiteRt, supportsFeature } from "@litertjs/core";
import { createWasmLib } from "@litertjs/wasm-utils";
import { type LiteRtWasmModule, liteRtLog, setLiteRtModuleLoader } from "./tflite-runtime.ts";

/**
 * LiteRT.js in a browser, beside the Node loader (node-litert.ts). LiteRT.js's own loadLiteRt also
 * opens a WebGPU device for a default environment that our runtime wrapper never uses (it runs on
 * the CPU with its own environment); on a phone that wakes the GPU and costs start-up time, so we
 * load the Wasm module alone, the same way loadLiteRt does.
 */

/** The runtime build LiteRT.js would pick: relaxed SIMD where the browser has it (memoized check). */
async function runtimeBuild(): Promise<string> {
  return (await supportsFeature("relaxedSimd"))
    ? "litert_wasm_internal"
    : "litert_wasm_compat_internal";
}

async function loadInBrowser(root: string): Promise<LiteRtWasmModule> {
  // Emscripten module options: the runtime's stderr goes through liteRtLog (see there).
  const options = {
    printErr: liteRtLog,
  };
  const script = `${root}${await runtimeBuild()}.js`;
  const lib = await createWasmLib(LiteRt, script, undefined, undefined, options as never);
  performance.mark("runtime-ready"); // for bench/app.bench.ts: when the page had LiteRT.js to run
  return lib.liteRtWasm as unknown as LiteRtWasmModule;
}

/** Makes the runtime load in this page from `wasmRoot` (a URL ending in "/"); returns it. */
export function browserWasmRoot(wasmRoot: string): string {
  setLiteRtModuleLoader(loadInBrowser);
  return wasmRoot;
}
