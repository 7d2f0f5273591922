import { existsSync } from "node:fs";
import { resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { PREFERRED_MODELS } from "../recognize/default-model.ts";
import { UserError } from "../util/errors.ts";

/**
 * The folder of shipped models, found from this file (not the working directory); the
 * DIGITKIT_MODELS_DIR environment variable points elsewhere (as it does for the web build).
 */
export const MODELS_DIR = process.env.DIGITKIT_MODELS_DIR
  ? `${resolve(process.env.DIGITKIT_MODELS_DIR)}${sep}`
  : fileURLToPath(new URL("../../models/", import.meta.url));

/** The path of the best shipped model; a UserError when none is there. */
export function defaultModelPath(): string {
  for (const name of PREFERRED_MODELS) {
    const path = `${MODELS_DIR}${name}`;
    if (existsSync(path)) return path;
  }
  throw new UserError(
    `no shipped model in ${MODELS_DIR} (looked for ${PREFERRED_MODELS.join(", ")}); pass --model FILE.tflite`,
  );
}
