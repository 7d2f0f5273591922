/**
 * Errors a user can cause: bad arguments, missing or corrupt files. They carry a one-line
 * message that the CLI prints as it is (no stack trace) and the app shows inline.
 */
export class UserError extends Error {
  /** Exit status for the CLI: 2 for usage errors, 1 for failures. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}

/** A mistake in how a command was called (unknown option, missing argument): exit status 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}
