import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { compileFunction } from "node:vm";
import { type LiteRtWasmModule, liteRtLog, setLiteRtModuleLoader } from "./tflite-runtime.ts";

/**
 * LiteRT.js in Node. Its loader is written for browsers (it injects a <script> or calls
 * importScripts); the Emscripten script it loads does support Node, as a CommonJS module that
 * reads its .wasm with fs. So in Node we evaluate that script as CommonJS ourselves and hand the
 * module to the runtime wrapper; no globals are shimmed, so other Wasm libraries (TF.js) are
 * unaffected.
 */

const require = createRequire(import.meta.url);

/** The directory holding LiteRT's .js/.wasm pairs, inside node_modules. */
export function nodeWasmRoot(): string {
  setLiteRtModuleLoader(loadInNode);
  return join(dirname(require.resolve("@litertjs/core")), "..", "wasm");
}

// LiteRT's default build needs relaxed SIMD, which Node 20's V8 has behind a flag: we turn the flag
// on (it only adds instructions; measured about 25% faster than the plain-SIMD "compat" build on
// the MLP). DIGITKIT_LITERT_COMPAT=1 keeps the compat build, which is also the fallback.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15,
  65, 2, 253, 15, 253, 128, 2, 11,
]);

async function loadInNode(wasmRoot: string): Promise<LiteRtWasmModule> {
  if (!WebAssembly.validate(RELAXED_SIMD_PROBE) && process.env.DIGITKIT_LITERT_COMPAT !== "1") {
    setFlagsFromString("--experimental-wasm-relaxed-simd");
  }
  const relaxed = WebAssembly.validate(RELAXED_SIMD_PROBE);
  const file = join(
    wasmRoot,
    relaxed ? "litert_wasm_internal.js" : "litert_wasm_compat_internal.js",
  );
  const source = readFileSync(file, "utf8");
  const wrapper = compileFunction(
    source,
    ["exports", "require", "module", "__filename", "__dirname"],
    {
      filename: file,
    },
  );
  const module = { exports: {} as unknown };
  wrapper(module.exports, require, module, file, dirname(file));
  const factory = module.exports as (options: object) => Promise<LiteRtWasmModule>;
  // LiteRT logs INFO lines on every load and ERROR lines for a model it cannot prepare: liteRtLog
  // drops the first and turns the second into errors of the load or run in progress.
  return factory({
    printErr: liteRtLog,
  });
}
