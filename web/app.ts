// What every action works on: the state store, the pad (which keeps its strokes as data) and
// the model session. One object, passed explicitly, so each action reads as its own steps.
import type { LiveTimer } from "./live.ts";
import type { ModelSession } from "./model-session.ts";
import type { DrawingPad } from "./pad.ts";
import type { Store } from "./state.ts";

export interface App {
  store: Store;
  pad: DrawingPad;
  models: ModelSession;
  /** Live mode: whether it is on (the checkbox decides) and its pending answer. */
  live: LiveTimer;
  /** The input scale picked in the model panel ("" = the model's own; a name of INPUT_RANGES). */
  inputRange: () => string;
}
