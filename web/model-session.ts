// The model in use and the one being loaded. Detect waits on `current()`: while the first model
// loads it is pending; after a failed switch it is the previous model again.
import { Recognizer } from "./recognizer.ts";

export class ModelSession {
  /** The model in use, once one has loaded. */
  active: Recognizer | null = null;
  /** The picker's value for the model in use, to go back to when a switch fails. */
  activeOption = "";
  /** Models the user opened this session, by their option value, so they can be picked again. */
  readonly opened = new Map<string, { bytes: Uint8Array; name: string }>();
  private pending: Promise<Recognizer | null>;
  private settleFirst: (r: Recognizer | null) => void = () => {};

  constructor() {
    this.pending = new Promise((resolve) => {
      this.settleFirst = resolve;
    });
  }

  /** The model to answer with: waits for a load under way; null when none could be loaded. */
  current(): Promise<Recognizer | null> {
    return this.pending;
  }

  /** Loads a model; on success it becomes the active one, on failure the previous one stays. */
  async load(bytes: () => Promise<Uint8Array>, fileName: string, option: string, inputRange = "") {
    const next = (async () => Recognizer.load(await bytes(), fileName, inputRange))();
    this.pending = next.catch(() => this.active);
    const loaded = await next;
    this.active?.dispose();
    this.active = loaded;
    this.activeOption = option;
    return loaded;
  }

  /** Called once the first load settled either way: a Detect pressed early stops waiting. */
  firstSettled(): void {
    this.settleFirst(this.active);
  }
}
