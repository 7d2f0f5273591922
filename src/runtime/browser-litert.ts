import { LiteRt, supportsFeature } from "@litertjs/core";
import { createWasmLib } from "@litertjs/wasm-utils";
import {
  type LiteRtWasmModule,
  liteRtLog,
  liteRtModule,
  setLiteRtModuleLoader,
} from "./tflite-runtime.ts";

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
  return lib.liteRtWasm as unknown as LiteRtWasmModule;
}

/** Makes the runtime load in this page from `wasmRoot` (a URL ending in "/"); returns it. */
export function browserWasmRoot(wasmRoot: string): string {
  setLiteRtModuleLoader(loadInBrowser);
  return wasmRoot;
}

/**
 * Starts loading the runtime (a script and ~9 MB of wasm) at once, in parallel with the model's
 * download, instead of after it. Failures surface at model load.
 */
export function warmUpBrowserLiteRt(wasmRoot: string): void {
  liteRtModule(browserWasmRoot(wasmRoot))
    .then(() => performance.mark("runtime-ready"))
    .catch(() => {});
  // The runtime's script only asks for its wasm once it has run (~0.1–0.3 s); preload the wasm of
  // the build LiteRT.js will pick (the same feature check, memoized) so both download together.
  runtimeBuild()
    .then((build) => {
      const link = document.createElement("link");
      link.rel = "preload";
      link.as = "fetch";
      link.crossOrigin = "anonymous"; // matches the runtime's fetch (same-origin credentials)
      link.href = `${wasmRoot}${build}.wasm`;
      document.head.append(link);
    })
    .catch(() => {});
}
