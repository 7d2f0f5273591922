// Builds DigitKit's optional native kernels (native/digitkit-native.cc) with node-gyp; run by
// `npm install` / `npm ci` (the package's install script) and by `npm run build:native`.
// It never fails the install: when the compiler, Python or Node's headers are missing it prints
// one warning line and training uses the TF.js wasm engine instead (see src/model/native.ts).
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const log = join(here, "build.log");

if (process.env.DIGITKIT_NATIVE === "0") {
  console.log(
    "digitkit: DIGITKIT_NATIVE=0, native kernels not built; training uses the wasm engine",
  );
  process.exit(0);
}

// npm puts its own node-gyp on the PATH of install scripts; run by hand, find npm's copy.
const npmGyp = process.env.npm_execpath
  ? join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js")
  : "";
const [command, args] = existsSync(npmGyp)
  ? [process.execPath, [npmGyp, "rebuild"]]
  : ["node-gyp", ["rebuild"]];
const run = spawnSync(command, args, { cwd: here, encoding: "utf8", timeout: 300_000 });
writeFileSync(log, `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? `\n${run.error}` : ""}`);
const built = join(here, "build", "Release", "digitkit_native.node");
if (run.status === 0 && existsSync(built)) {
  console.log("digitkit: native kernels built (native/build/Release/digitkit_native.node)");
} else {
  const why = run.error ? run.error.message : `node-gyp exited with ${run.status}`;
  console.warn(
    `digitkit: warning: native kernels not built (${why}; see native/build.log); training uses the slower wasm engine`,
  );
}
