import { UserError } from "../util/errors.ts";

/** A Keras / TF.js file that cannot be imported: one line in plain words, naming the problem. */
export class ImportError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "ImportError";
  }
}
