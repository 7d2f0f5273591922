// Everything the page shows, as one plain object. Actions compute a new state; render(state)
// is the only code that writes to the DOM (the pad draws its own strokes).
import type { ShownResult } from "./results.ts";

export interface ModelOption {
  value: string;
  label: string;
}

export interface AppState {
  /** The message line: a hint, or a problem in plain words. Empty when there is nothing to say. */
  message: string;
  /** The answer on screen, or null when there is none. */
  result: ShownResult | null;
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
  /** The input scale picked ("" for the model's own; else a name of INPUT_RANGES). */
  inputRange: string;
  /** Set once the shell, the models and the loaded runtime are cached for offline use. */
  offlineReady: boolean;
}

export const initialState: AppState = {
  message: "",
  result: null,
  preview: null,
  models: [],
  selectedModel: "",
  modelStatus: "",
  modelError: false,
  modelFeeding: "",
  inputRange: "",
  offlineReady: false,
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
    this.current = { ...previous, ...patch };
    this.render(this.current, previous);
  }
}
