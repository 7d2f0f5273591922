// Shows a number (number-reading.ts): the digits in `prediction`, the chance all are right, each
// digit with its probability and, when unsure, its runner-up ("1 or 7?") in the digits list, and a
// box over each digit on the drawing (or on the uploaded image). Called by render.ts after the
// one-digit answer is drawn, so the number takes its place.
import type { NumberReading } from "../src/recognize/types.ts";
import { formatPercent, runnerUpHint } from "./results.ts";
import type { AppState } from "./state.ts";
import { byTestId } from "./view.ts";

interface NumberView {
  pad: HTMLCanvasElement;
  numberMode: HTMLInputElement;
  digits: HTMLElement;
  boxes: HTMLElement;
  prediction: HTMLElement;
  probability: HTMLElement;
  runnerUp: HTMLElement;
  announce: HTMLElement;
  preview: HTMLCanvasElement;
}

let found: NumberView | null = null;
function view(): NumberView {
  if (!found) {
    const $ = <T extends HTMLElement>(id: string) => byTestId<T>(document, id);
    found = {
      pad: $("pad"),
      numberMode: $("number-mode"),
      digits: $("digits"),
      boxes: $("digit-boxes"),
      prediction: $("prediction"),
      probability: $("probability"),
      runnerUp: $("runner-up"),
      announce: $("announce"),
      preview: $("upload-preview"),
    };
  }
  return found;
}

/** "1 or 7? (digit 3)" for each unsure digit, joined. */
export function numberHints(reading: NumberReading): string {
  return reading.digits
    .map((d, i) => {
      const hint = runnerUpHint(d.probabilities);
      return hint ? `${hint} (digit ${i + 1})` : null;
    })
    .filter((h) => h !== null)
    .join(" ");
}

export function renderNumber(state: AppState, previous: AppState | null): void {
  const v = view();
  if (!previous || previous.numberMode !== state.numberMode) {
    document.body.classList.toggle("number-mode", state.numberMode);
    v.numberMode.checked = state.numberMode;
  }
  const shown = state.number && state.number.result === state.result ? state.number : null;
  const before =
    previous?.number && previous.number.result === previous.result ? previous.number : null;
  if (previous && shown === before && previous.result === state.result) return;
  v.digits.replaceChildren();
  v.boxes.replaceChildren();
  v.digits.hidden = !shown;
  if (!shown) return;
  const { reading } = shown;
  v.prediction.textContent = reading.number ?? "";
  v.probability.textContent = formatPercent(reading.probability);
  v.runnerUp.textContent = numberHints(reading);
  v.announce.textContent = `Number ${reading.number}, ${formatPercent(reading.probability)} sure${
    v.runnerUp.textContent ? `; ${v.runnerUp.textContent}` : ""
  }.`;
  for (const d of reading.digits) {
    const item = document.createElement("li");
    item.dataset.testid = "digit";
    item.dataset.digit = String(d.digit);
    item.dataset.probability = String(Number(d.probability.toFixed(6)));
    const hint = runnerUpHint(d.probabilities);
    item.classList.toggle("unsure", hint !== null);
    item.textContent = `${d.digit} ${formatPercent(d.probability)}${hint ? ` · ${hint}` : ""}`;
    v.digits.append(item);
  }
  if (shown.on === "pad") drawPadBoxes(v, reading);
  else drawImageBoxes(v.preview, reading);
}

/**
 * Boxes over the pad, placed in shares of it: the box layer covers the pad (style.css), and the
 * pad's backing store gives its width over its height, so nothing here asks the page for its
 * layout (reading it after the answer's text was written would lay the page out at once).
 */
function drawPadBoxes(v: NumberView, reading: NumberReading): void {
  const aspect = v.pad.width / Math.max(1, v.pad.height);
  const share = (units: number, across: boolean) =>
    `${((across ? units / aspect : units) * 100).toFixed(4)}%`;
  for (const d of reading.digits) {
    const box = document.createElement("div");
    box.dataset.testid = "digit-box";
    box.dataset.digit = String(d.digit);
    box.className = runnerUpHint(d.probabilities) ? "digit-box unsure" : "digit-box";
    box.style.left = share(d.box.x, true);
    box.style.top = share(d.box.y, false);
    box.style.width = share(d.box.width, true);
    box.style.height = share(d.box.height, false);
    const label = document.createElement("span");
    label.textContent = `${d.digit} ${formatPercent(d.probability)}`;
    box.append(label);
    v.boxes.append(box);
  }
}

/** Boxes drawn onto the uploaded image's preview, in its pixels. */
function drawImageBoxes(canvas: HTMLCanvasElement, reading: NumberReading): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.strokeStyle = "#4fb3ff";
  ctx.lineWidth = Math.max(1, canvas.width / 300);
  for (const d of reading.digits) ctx.strokeRect(d.box.x, d.box.y, d.box.width, d.box.height);
}
