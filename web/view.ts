// The page's elements, found once by their data-testid (the stable interface tests rely on).

/** The element with data-testid `id` under root; throws when the page lacks it. */
export function byTestId<T extends HTMLElement>(root: ParentNode, id: string): T {
  const element = root.querySelector<T>(`[data-testid="${id}"]`);
  if (!element) throw new Error(`missing element ${id}`);
  return element;
}

export interface View {
  pad: HTMLCanvasElement;
  detect: HTMLButtonElement;
  clear: HTMLButtonElement;
  live: HTMLInputElement;
  message: HTMLElement;
  prediction: HTMLElement;
  probability: HTMLElement;
  timeCost: HTMLElement;
  runnerUp: HTMLElement;
  probabilities: HTMLElement;
  bars: HTMLElement[];
  modelInput: HTMLCanvasElement;
  announce: HTMLElement;
  upload: HTMLInputElement;
  preview: HTMLCanvasElement;
  model: HTMLSelectElement;
  modelFile: HTMLInputElement;
  downloadModel: HTMLButtonElement;
  modelStatus: HTMLElement;
  modelFeeding: HTMLElement;
  inputRange: HTMLSelectElement;
  offlineStatus: HTMLElement;
}

export function findView(root: Document): View {
  const $ = <T extends HTMLElement>(id: string) => byTestId<T>(root, id);
  const probabilities = $("probabilities");
  return {
    pad: $("pad"),
    detect: $("detect"),
    clear: $("clear"),
    live: $("live"),
    message: $("message"),
    prediction: $("prediction"),
    probability: $("probability"),
    timeCost: $("time-cost"),
    runnerUp: $("runner-up"),
    probabilities,
    bars: createBars(probabilities),
    modelInput: $("model-input"),
    announce: $("announce"),
    upload: $("upload"),
    preview: $("upload-preview"),
    model: $("model"),
    modelFile: $("model-file"),
    downloadModel: $("download-model"),
    modelStatus: $("model-status"),
    modelFeeding: $("model-feeding"),
    inputRange: $("input-range"),
    offlineStatus: $("offline-status"),
  };
}

/** Ten bars, one per digit, each carrying data-digit and (once rendered) data-value. */
function createBars(list: HTMLElement): HTMLElement[] {
  const bars: HTMLElement[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const bar = document.createElement("li");
    bar.className = "bar";
    bar.dataset.digit = String(digit);
    bar.dataset.value = "0";
    const label = document.createElement("span");
    label.className = "bar-label";
    label.textContent = String(digit);
    const track = document.createElement("span");
    track.className = "bar-track";
    const fill = document.createElement("span");
    fill.className = "bar-fill";
    track.append(fill);
    bar.append(label, track);
    list.append(bar);
    bars.push(bar);
  }
  return bars;
}
