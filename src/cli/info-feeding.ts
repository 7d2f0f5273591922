import { describePlan, planFromFile } from "../recognize/digit-model.ts";
import { UserError } from "../util/errors.ts";

/** Whether and how DigitKit will feed a model, for `info` (decided from the file, as predict does). */
export interface Feeding {
  feeds: boolean;
  /** How it is fed, or why it is refused. */
  how: string;
}

export function feedingOf(bytes: Uint8Array): Feeding {
  try {
    return { feeds: true, how: describePlan(planFromFile(bytes)) };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { feeds: false, how: error.message };
  }
}

export function formatFeeding(feeding: Feeding): string {
  return feeding.feeds
    ? `DigitKit will feed it: ${feeding.how}`
    : `DigitKit will not open it: ${feeding.how}`;
}
