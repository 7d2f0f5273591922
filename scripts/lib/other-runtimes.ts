// The two TFLite runtimes besides LiteRT.js that DigitKit's files are checked in, each run in a
// process of its own: @tensorflow/tfjs-tflite (needs global shims) and Arm NN (Python, Debian's
// python3-pyarmnn with the CpuRef backend). Used by the tests and by build-models for the cards.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export type RuntimeId = "litert" | "tfjs-tflite" | "armnn";

export const RUNTIME_NAMES: Record<RuntimeId, string> = {
  litert: "LiteRT.js (@litertjs/core 2.5)",
  "tfjs-tflite": "@tensorflow/tfjs-tflite 0.0.1-alpha.10 (TFLite of 2021)",
  armnn: "Arm NN 20.08 (python3-pyarmnn, CpuRef)",
};

/** Outputs (n × outputSize, flat), or why the runtime refused the model. */
export type RunResult = { outputs: Float32Array } | { refused: string };

const here = fileURLToPath(new URL(".", import.meta.url));
export const ARMNN_PYTHON = "/usr/bin/python3";

function run(command: string, args: string[], model: string, inputs: Float32Array): RunResult {
  const dir = mkdtempSync(join(tmpdir(), "digitkit-runtime-"));
  try {
    const inPath = join(dir, "in.f32");
    const outPath = join(dir, "out.f32");
    writeFileSync(inPath, new Uint8Array(inputs.buffer, inputs.byteOffset, inputs.byteLength));
    const child = spawnSync(command, [...args, model, inPath, outPath], {
      encoding: "utf8",
      timeout: 20 * 60_000,
    });
    if (child.error) throw child.error;
    const reason = child.stderr
      .split("\n")
      .filter((l) => l.trim() && !/Skipped I\w+Parser import|XNNPACK delegate/.test(l))
      .join(" ")
      .slice(0, 300);
    if (child.status === 3) return { refused: reason };
    if (child.status !== 0 || !existsSync(outPath)) {
      // Arm NN aborts (SIGABRT) on some models it cannot run: a refusal, not an answer.
      return { refused: `exited with ${child.signal ?? `status ${child.status}`}: ${reason}` };
    }
    const bytes = readFileSync(outPath);
    return { outputs: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runInTfjsTflite(model: string, inputs: Float32Array): RunResult {
  return run(process.execPath, [join(here, "tfjs-tflite-run.mjs")], model, inputs);
}

export function runInArmnn(model: string, inputs: Float32Array): RunResult {
  if (!existsSync(ARMNN_PYTHON)) throw new Error(`${ARMNN_PYTHON} is missing (see .ci/run)`);
  return run(ARMNN_PYTHON, [join(here, "armnn-run.py")], model, inputs);
}
