// render(state): the one place that writes what the page shows. Each part is redrawn only when
// its slice of the state changed (identity check), so live mode stays cheap.
import { formatMs, formatPercent, runnerUpHint, type ShownResult } from "./results.ts";
import type { AppState } from "./state.ts";
import type { View } from "./view.ts";

export function render(view: View, state: AppState, previous: AppState | null): void {
  const changed = <K extends keyof AppState>(key: K) => !previous || previous[key] !== state[key];
  if (changed("message")) view.message.textContent = state.message;
  if (changed("result")) renderResult(view, state.result);
  if (changed("preview")) renderPreview(view.preview, state.preview);
  if (changed("models")) renderModelOptions(view.model, state);
  if (changed("selectedModel") && view.model.value !== state.selectedModel) {
    view.model.value = state.selectedModel;
  }
  if (changed("modelStatus")) view.modelStatus.textContent = state.modelStatus;
  if (changed("modelFeeding")) view.modelFeeding.textContent = state.modelFeeding;
  if (changed("inputRange") && view.inputRange.value !== state.inputRange) {
    view.inputRange.value = state.inputRange;
  }
  if (changed("modelError")) view.modelStatus.classList.toggle("error", state.modelError);
  if (changed("offlineReady") && state.offlineReady) {
    document.body.dataset.offline = "ready";
    view.offlineStatus.textContent = "Ready to work offline.";
  }
}

function renderResult(view: View, result: ShownResult | null): void {
  view.prediction.textContent = result ? String(result.digit) : "";
  view.probability.textContent = result ? formatPercent(result.probability) : "";
  view.timeCost.textContent = result ? formatMs(result.timeMs) : "";
  view.runnerUp.textContent = result ? (runnerUpHint(result.probabilities) ?? "") : "";
  for (let digit = 0; digit < 10; digit++) {
    const value = result ? (result.probabilities[digit] ?? 0) : 0;
    renderBar(view.bars[digit], digit, value, result?.digit === digit);
  }
  renderInput(view.modelInput, result?.input ?? null);
  view.announce.textContent = result
    ? `Digit ${result.digit}, ${formatPercent(result.probability)} sure.`
    : "";
}

function renderBar(bar: HTMLElement, digit: number, value: number, top: boolean): void {
  bar.dataset.value = String(Number(value.toFixed(6)));
  bar.classList.toggle("top", top);
  bar.setAttribute("aria-label", `${digit}: ${formatPercent(value)}`);
  const fill = bar.querySelector<HTMLElement>(".bar-fill");
  if (fill) fill.style.width = `${(value * 100).toFixed(2)}%`;
}

/** The 784 model inputs (0–1) as a 28×28 grey image; black when there is none. */
function renderInput(canvas: HTMLCanvasElement, input: Float32Array | null): void {
  if (canvas.width !== 28) canvas.width = 28;
  if (canvas.height !== 28) canvas.height = 28;
  const image = new ImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = input ? Math.round(Math.min(1, Math.max(0, input[i])) * 255) : 0;
    image.data[i * 4] = v;
    image.data[i * 4 + 1] = v;
    image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  canvas.getContext("2d")?.putImageData(image, 0, 0);
}

function renderPreview(canvas: HTMLCanvasElement, image: ImageData | null): void {
  canvas.hidden = !image;
  if (!image) return;
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext("2d")?.putImageData(image, 0, 0);
}

function renderModelOptions(select: HTMLSelectElement, state: AppState): void {
  select.replaceChildren(...state.models.map((m) => new Option(m.label, m.value)));
  select.value = state.selectedModel;
}
