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

export async function fetchModel(file: string): Promise<Uint8Array> {
  const response = await fetch(`models/${encodeURIComponent(file)}`);
  if (!response.ok) throw new Error(`cannot load ${file} (${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
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
