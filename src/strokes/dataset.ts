import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../util/errors.ts";

/** One digit written on a tablet: its label, its writer ("tra-NN") and its strokes of [x, y]. */
export interface StrokeDigit {
  label: number;
  writer: string;
  /** Pen strokes in writing order; points in pen order, tablet units, y grows upwards. */
  strokes: [number, number][][];
}

/** Where the shared pen-stroke file lives: $DIGITKIT_STROKES, else ../shared/data beside the repo. */
export function defaultStrokesPath(): string {
  if (process.env.DIGITKIT_STROKES) return process.env.DIGITKIT_STROKES;
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  return join(repoRoot, "..", "shared", "data", "pendigits-train-strokes.json");
}

function isPoint(p: unknown): p is [number, number] {
  return Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);
}

/** Checks the parsed JSON's shape so that a wrong file is one clear error, not a crash later. */
export function parseStrokeDigits(json: unknown, source: string): StrokeDigit[] {
  if (!Array.isArray(json)) throw new UserError(`${source}: expected a JSON array of digits`);
  return json.map((item, i) => {
    const { label, writer, strokes } = (item ?? {}) as Record<string, unknown>;
    const ok =
      Number.isInteger(label) &&
      (label as number) >= 0 &&
      (label as number) <= 9 &&
      typeof writer === "string" &&
      Array.isArray(strokes) &&
      strokes.length > 0 &&
      strokes.every((s) => Array.isArray(s) && s.length > 0 && s.every(isPoint));
    if (!ok) throw new UserError(`${source}: item ${i} is not {label, writer, strokes}`);
    return item as StrokeDigit;
  });
}

/** Reads the stroke file (default: the shared pendigits file). */
export function loadStrokeDigits(path = defaultStrokesPath()): StrokeDigit[] {
  if (!existsSync(path)) throw new UserError(`${path}: no such stroke file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
  return parseStrokeDigits(json, path);
}
