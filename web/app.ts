// What every action works on: the state store, the pad (which keeps its strokes as data) and
// the model session. One object, passed explicitly, so each action reads as its own steps.
import type { ModelSession } from "./model-session.ts";
import type { DrawingPad } from "./pad.ts";
import type { Store } from "./state.ts";

export interface App {
  store: Store;
  pad: DrawingPad;
  models: ModelSession;
  /** Whether live mode is on (the checkbox is the source of truth: the user sets it). */
  live(): boolean;
}
