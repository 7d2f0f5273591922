import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../util/errors.ts";

/** One handwritten letter (UNIPEN): not a digit, so any digit answer to it is wrong. */
export interface StrokeLetter {
  letter: string;
  writer: string;
  /** Pen strokes in writing order; the site's own tablet units, y grows upwards. */
  strokes: [number, number][][];
}

/** The shared letters file (UNIPEN, 1,320 letters of 153 writers): ../shared/data beside the repo. */
export function defaultLettersPath(): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  return join(repoRoot, "..", "shared", "data", "letters-unipen-dev.json");
}

function isStroke(s: unknown): s is [number, number][] {
  return (
    Array.isArray(s) &&
    s.length > 0 &&
    s.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite))
  );
}

/** Reads the letters file, checking each item's shape (a wrong file is one clear error). */
export function loadStrokeLetters(path = defaultLettersPath()): StrokeLetter[] {
  if (!existsSync(path)) throw new UserError(`${path}: no such letters file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
  if (!Array.isArray(json)) throw new UserError(`${path}: expected a JSON array of letters`);
  return json.map((item, i) => {
    const { label, writer, strokes, yAxisUp } = (item ?? {}) as Record<string, unknown>;
    const ok =
      typeof label === "string" &&
      typeof writer === "string" &&
      yAxisUp === true &&
      Array.isArray(strokes) &&
      strokes.length > 0 &&
      strokes.every(isStroke);
    if (!ok) throw new UserError(`${path}: item ${i} is not {label, writer, strokes, yAxisUp}`);
    return {
      letter: label as string,
      writer: writer as string,
      strokes: strokes as [number, number][][],
    };
  });
}
