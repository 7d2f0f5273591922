// Everything the page shows, as one plain object. Actions compute a new state; render(state)
// is the only code that writes to the DOM (the pad draws its own strokes).
import type { ShownNumber } from "./number-reading.ts";
import type { ShownResult } from "./results.ts";

export interface ModelOption {
  value: string;
  label: string;
  /** The full description, shown as the option's tooltip. */
  title?: string;
}

export interface AppState {
  /** The message line: a hint, or a problem in plain words. Empty when there is nothing to say. */
  message: string;
  /** Whether the message is a problem (shown in the one error style) rather than a hint. */
  messageIsError: boolean;
  /** The answer on screen, or null when there is none. */
  result: ShownResult | null;
  /** The drawing changed since `result` was given: it is shown as out of date. */
  stale: boolean;
  /** The uploaded image being shown, or null while the pad is the input. */
  preview: ImageData | null;
  /** The picker's entries and the one chosen. */
  models: ModelOption[];
  selectedModel: string;
  /** The model line: what is loading, in use, or why a model was refused. */
  modelStatus: string;
  modelError: boolean;
  /** How the model in use is fed (input layout, scale, outputs). */
  modelFeeding: string;
  /** Whether the pad holds no ink (it then shows a prompt). */
  padEmpty: boolean;
  /** Shown over the pad until the app can answer (the model's download), or null. */
  loading: string | null;
  /** The browser offers to install the app (its prompt is kept until the button is pressed). */
  installable: boolean;
  /** Set once the shell, the models and the loaded runtime are cached for offline use. */
  offlineReady: boolean;
  /** Number mode: the pad is wide and reads several digits (the "Number" switch). */
  numberMode: boolean;
  /** The number on screen; shown only while `result` is the answer it came with. */
  number: ShownNumber | null;
}

export const initialState: AppState = {
  message: "",
  messageIsError: false,
  result: null,
  stale: false,
  preview: null,
  models: [],
  selectedModel: "",
  modelStatus: "",
  modelError: false,
  modelFeeding: "",
  offlineReady: false,
  installable: false,
  padEmpty: true,
  loading: "Loading the model…",
  numberMode: false,
  number: null,
};

/** Holds the state and renders each change; actions call set() with the fields they change. */
export class Store {
  private current: AppState;

  constructor(
    initial: AppState,
    private readonly render: (state: AppState, previous: AppState | null) => void,
  ) {
    this.current = initial;
    render(initial, null);
  }

  get state(): AppState {
    return this.current;
  }

  set(patch: Partial<AppState>): void {
    const previous = this.current;
    // A new message is a hint unless it says it is an error.
    const reset =
      "message" in patch && !("messageIsError" in patch) ? { messageIsError: false } : {};
    this.current = { ...previous, ...reset, ...patch };
    this.render(this.current, previous);
  }
}
