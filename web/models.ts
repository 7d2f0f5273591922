// The shipped models: their list (models/index.json, written by the build from the model
// cards) and their bytes, fetched from the app's own origin (and cached by the service worker).

import { PREFERRED_MODELS, pickDefaultModel } from "../src/recognize/default-model.ts";

export interface ModelCard {
  file: string;
  name?: string;
  architecture?: string;
  quantization?: string;
  parameters?: number;
  testAccuracy?: number;
  sizeBytes?: number;
}

/** The model the app opens when the URL names none (the one `digitkit predict` uses too). */
export const DEFAULT_MODEL = PREFERRED_MODELS[0];

export async function listModels(): Promise<ModelCard[]> {
  const response = await fetch("models/index.json");
  if (!response.ok) throw new Error(`cannot list the models (${response.status})`);
  return (await response.json()) as ModelCard[];
}

/** Fetches a shipped model; `onProgress` hears the bytes received so far (decoded). */
export async function fetchModel(
  file: string,
  onProgress?: (received: number) => void,
): Promise<Uint8Array> {
  const response = await fetch(`models/${encodeURIComponent(file)}`);
  if (!response.ok) throw new Error(`cannot load ${file} (${response.status})`);
  if (!onProgress || !response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(received);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** One line describing a model in the picker: its file name first, as the URL names it. */
export function describe(card: ModelCard): string {
  const details = [card.architecture, card.quantization].filter(Boolean);
  if (typeof card.testAccuracy === "number") {
    // Cards may give accuracy as a fraction or as a percentage.
    const percent = card.testAccuracy > 1 ? card.testAccuracy : card.testAccuracy * 100;
    details.push(`${percent.toFixed(1)}% on MNIST`);
  }
  if (typeof card.sizeBytes === "number") details.push(`${Math.round(card.sizeBytes / 1024)} KB`);
  return details.length ? `${card.file} (${details.join(", ")})` : card.file;
}

/**
 * The picker's readable line for a model: "CNN · 99.3% · 881 KB · default" (kind and
 * quantization, MNIST accuracy, size, and which one the app opens by default). The file name,
 * with every detail of the card, is the option's tooltip (`describe`).
 */
export function pickerLabel(card: ModelCard, defaultFile: string | null): string {
  const kind = card.architecture
    ? card.architecture.toUpperCase()
    : card.file.replace(/\.tflite$/, "");
  const quantized =
    card.quantization && card.quantization !== "none" ? ` ${card.quantization}` : "";
  const parts = [`${kind}${quantized}`];
  if (typeof card.testAccuracy === "number") {
    const percent = card.testAccuracy > 1 ? card.testAccuracy : card.testAccuracy * 100;
    parts.push(`${percent.toFixed(1)}%`);
  }
  if (typeof card.sizeBytes === "number") parts.push(`${Math.round(card.sizeBytes / 1024)} KB`);
  if (card.file === defaultFile) parts.push("default");
  return parts.join(" · ");
}

/** The model to open first: ?model=NAME when it is shipped, else the default shipped model. */
export function initialModel(cards: readonly ModelCard[], search: string): string | null {
  const wanted = new URLSearchParams(search).get("model");
  const files = cards.map((c) => c.file);
  if (wanted && files.includes(wanted)) return wanted;
  return pickDefaultModel(files);
}

/** Saves bytes as a file, like the tutorial's files.download step. */
export function download(bytes: Uint8Array, fileName: string): void {
  const url = URL.createObjectURL(
    new Blob([bytes as BlobPart], { type: "application/octet-stream" }),
  );
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
