import { UserError } from "../util/errors.ts";
import type { Command } from "./main.ts";

// Placeholder until this command is built; replaced by its issue's work.
export const command: Command = {
  help: "Usage: digitkit export (not built yet)",
  async run() {
    throw new UserError("digitkit export is not built yet");
  },
};
