// Runs the benchmarks: every bench/*.bench.ts, or those named on the command line (by a part of
// their name), one after another so they do not compete for the two cores, and prints each one's
// output as it comes. Quick mode for development: BENCH_QUICK=1 npm run bench.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = "bench";
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmarks found${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
  process.exit(1);
}
let failed = 0;
for (const name of files) {
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", join(dir, name)], {
    stdio: "inherit",
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) failed++;
  console.log(
    `=== ${name}: ${run.status === 0 ? "done" : `FAILED (${run.status})`} in ${seconds} s ===`,
  );
}
process.exit(failed ? 1 : 0);
