import { UserError } from "../util/errors.ts";

/** A subcommand: its help text and what it does. Each lives in its own module, loaded on use. */
export interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<{ command: Command }>;
}

// Summaries live here so that `digitkit --help` does not load every command (and TF.js).
const commands: Record<string, CommandEntry> = {
  train: { summary: "train a network on MNIST", load: () => import("./train.ts") },
  evaluate: {
    summary: "test accuracy of a checkpoint or .tflite",
    load: () => import("./evaluate.ts"),
  },
  export: { summary: "write a checkpoint as a .tflite file", load: () => import("./export.ts") },
  convert: {
    summary: "convert a Keras .keras/.h5 or TF.js model to .tflite",
    load: () => import("./convert.ts"),
  },
  info: { summary: "describe a .tflite file", load: () => import("./info.ts") },
  predict: { summary: "classify image files", load: () => import("./predict.ts") },
  serve: { summary: "serve the web app on localhost", load: () => import("./serve.ts") },
};

function usage(): string {
  const lines = ["Usage: digitkit <command> [options]", "", "Commands:"];
  for (const [name, entry] of Object.entries(commands)) {
    lines.push(`  ${name.padEnd(10)}${entry.summary}`);
  }
  lines.push("", "Run `digitkit <command> --help` for a command's options.");
  return lines.join("\n");
}

/** Runs the CLI and returns the exit status: 0 ok, 1 failure, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      console.log(usage());
      return name === undefined ? 2 : 0;
    }
    const entry = commands[name];
    if (!entry) {
      console.error(`digitkit: unknown command "${name}" (try digitkit --help)`);
      return 2;
    }
    const { command } = await entry.load();
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(command.help);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UserError) {
      // Errors name the command they come from: "digitkit predict: …".
      const source = name !== undefined && name in commands ? `digitkit ${name}` : "digitkit";
      console.error(`${source}: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}
