import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "../util/errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses a command's arguments; unknown options and bad values become one-line usage errors. */
export function parseCommandArgs<T extends Options>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's message may run over several lines (the ambiguous `--lr-decay -1` says how to
    // write a value starting with a dash on the next ones): keep it all, on one line.
    const message = (error as Error).message.split("\n").join(" ");
    throw new UsageError(message);
  }
}

/** Reads a whole-number option, checking its range. */
export function intOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value))
    throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Reads an option that must be one of a fixed set of words. */
export function choiceOption<C extends string>(
  name: string,
  value: string | undefined,
  choices: readonly C[],
  fallback: C,
): C {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got "${value}"`);
  }
  return value as C;
}
