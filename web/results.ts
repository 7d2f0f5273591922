// Shows a classification: the digit, its probability, the time taken, ten bars, the model's
// 28×28 input enlarged, a runner-up hint when the model is unsure, and a sentence for screen
// readers. Clearing empties all of it.

/** Below this top probability the second choice is shown too ("4 or 9?"). Tuned on real strokes. */
export const RUNNER_UP_THRESHOLD = 0.8;

export interface ShownResult {
  digit: number;
  probability: number;
  probabilities: number[];
  /** Preprocessing plus inference, in milliseconds. */
  timeMs: number;
  /** The 784 model inputs (0–1), drawn enlarged so the user sees what the model saw. */
  input: Float32Array;
}

/** The runner-up hint ("4 or 9?"), or null when the top probability is high enough. */
export function runnerUpHint(probabilities: readonly number[], threshold = RUNNER_UP_THRESHOLD) {
  const order = probabilities.map((p, digit) => ({ p, digit })).sort((a, b) => b.p - a.p);
  if (order.length < 2 || order[0].p >= threshold) return null;
  return `${order[0].digit} or ${order[1].digit}?`;
}

export function formatPercent(probability: number): string {
  return `${(probability * 100).toFixed(1)}%`;
}

export function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

/** The element with data-testid `id` under root; throws when the page lacks it. */
export function byTestId<T extends HTMLElement>(root: ParentNode, id: string): T {
  const element = root.querySelector<T>(`[data-testid="${id}"]`);
  if (!element) throw new Error(`missing element ${id}`);
  return element;
}

export class ResultsView {
  private readonly prediction: HTMLElement;
  private readonly probability: HTMLElement;
  private readonly timeCost: HTMLElement;
  private readonly runnerUp: HTMLElement;
  private readonly bars: HTMLElement[] = [];
  private readonly inputCanvas: HTMLCanvasElement;
  private readonly inputImage: ImageData;
  private readonly announce: HTMLElement;

  constructor(root: ParentNode) {
    this.prediction = byTestId(root, "prediction");
    this.probability = byTestId(root, "probability");
    this.timeCost = byTestId(root, "time-cost");
    this.runnerUp = byTestId(root, "runner-up");
    this.inputCanvas = byTestId<HTMLCanvasElement>(root, "model-input");
    this.announce = byTestId(root, "announce");
    this.inputCanvas.width = 28;
    this.inputCanvas.height = 28;
    this.inputImage = new ImageData(28, 28);
    const list = byTestId(root, "probabilities");
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
      this.bars.push(bar);
    }
    this.clear();
  }

  show(result: ShownResult): void {
    this.prediction.textContent = String(result.digit);
    this.probability.textContent = formatPercent(result.probability);
    this.timeCost.textContent = formatMs(result.timeMs);
    this.runnerUp.textContent = runnerUpHint(result.probabilities) ?? "";
    for (let digit = 0; digit < 10; digit++) {
      this.setBar(digit, result.probabilities[digit] ?? 0, digit === result.digit);
    }
    this.drawInput(result.input);
    this.announce.textContent = `Digit ${result.digit}, ${formatPercent(result.probability)} sure.`;
  }

  clear(): void {
    this.prediction.textContent = "";
    this.probability.textContent = "";
    this.timeCost.textContent = "";
    this.runnerUp.textContent = "";
    for (let digit = 0; digit < 10; digit++) this.setBar(digit, 0, false);
    this.drawInput(null);
    this.announce.textContent = "";
  }

  private setBar(digit: number, value: number, top: boolean): void {
    const bar = this.bars[digit];
    bar.dataset.value = String(Number(value.toFixed(6)));
    bar.classList.toggle("top", top);
    bar.setAttribute("aria-label", `${digit}: ${formatPercent(value)}`);
    const fill = bar.querySelector<HTMLElement>(".bar-fill");
    if (fill) fill.style.width = `${(value * 100).toFixed(2)}%`;
  }

  private drawInput(input: Float32Array | null): void {
    const data = this.inputImage.data;
    for (let i = 0; i < 784; i++) {
      const v = input ? Math.round(Math.min(1, Math.max(0, input[i])) * 255) : 0;
      data[i * 4] = v;
      data[i * 4 + 1] = v;
      data[i * 4 + 2] = v;
      data[i * 4 + 3] = 255;
    }
    this.inputCanvas.getContext("2d")?.putImageData(this.inputImage, 0, 0);
  }
}
