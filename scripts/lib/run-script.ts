import { UserError } from "../../src/util/errors.ts";

/**
 * Runs a script's main function as the CLI runs a command: a UserError (bad arguments, a missing
 * file) prints one line, `name: message`, and exits with its status; anything else is a bug and
 * keeps its stack trace. A number returned by main is the exit status.
 */
export function runScript(name: string, main: () => Promise<number | undefined>): void {
  main().then(
    (code) => {
      if (code !== undefined) process.exit(code);
    },
    (error) => {
      if (!(error instanceof UserError)) throw error;
      console.error(`${name}: ${error.message}`);
      process.exit(error.exitCode);
    },
  );
}
