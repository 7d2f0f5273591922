// The app: wires the pad, the upload paths and the model picker to one Recognizer and one
// ResultsView. Every user-caused problem is shown inline in the message line; nothing throws.
import {
  DEFAULT_MODEL,
  describe,
  download,
  fetchModel,
  initialModel,
  listModels,
} from "./models.ts";
import { DrawingPad } from "./pad.ts";
import { Recognizer, warmUpRuntime } from "./recognizer.ts";
import { byTestId, ResultsView } from "./results.ts";
import { registerServiceWorker } from "./sw-register.ts";
import { decodeImage, UnreadableImageError, watchUploads } from "./upload.ts";

/** Said when Detect is pressed on an empty pad (no digits in it: tests read digits as answers). */
export const EMPTY_PAD_MESSAGE = "Draw a digit first.";

function $<T extends HTMLElement>(id: string): T {
  return byTestId<T>(document, id);
}

const pad = new DrawingPad($<HTMLCanvasElement>("pad"));
const results = new ResultsView(document);
const message = $("message");
const live = $<HTMLInputElement>("live");
const modelSelect = $<HTMLSelectElement>("model");
const modelStatus = $("model-status");
const modelFeeding = $("model-feeding");
const inputRange = $<HTMLSelectElement>("input-range");
const preview = $<HTMLCanvasElement>("upload-preview");

/** The model in use, once one has loaded. */
let active: Recognizer | null = null;
/** What Detect waits for: the model being loaded, or the one in use. Pending until the first load settles. */
let settleFirst: (r: Recognizer | null) => void = () => {};
let recognizer: Promise<Recognizer | null> = new Promise((resolve) => {
  settleFirst = resolve;
});

function say(text: string): void {
  message.textContent = text;
}

/**
 * Classifies pixels and shows the result. The "detect" measure runs from the caller's
 * "detect-start" mark (before the pad is rasterized) to the result on screen.
 */
async function classify(image: ImageData, noInkMessage: string): Promise<void> {
  const current = await recognizer;
  if (!current) {
    say("No model is loaded yet.");
    return;
  }
  const result = current.recognize(image);
  if (!result) {
    results.clear();
    say(noInkMessage);
    return;
  }
  say("");
  results.show(result);
  performance.measure("detect", "detect-start");
}

async function detectPad(): Promise<void> {
  if (pad.isEmpty) {
    results.clear();
    say(EMPTY_PAD_MESSAGE);
    return;
  }
  const current = await recognizer;
  performance.mark("detect-start");
  if (current) await classify(pad.rasterize(), EMPTY_PAD_MESSAGE);
  else say("No model is loaded yet.");
}

function clearAll(): void {
  pad.clear();
  results.clear();
  say("");
  preview.hidden = true;
}

async function classifyUpload(file: File): Promise<void> {
  let image: ImageData;
  try {
    image = await decodeImage(file);
  } catch (error) {
    results.clear();
    preview.hidden = true;
    say(error instanceof UnreadableImageError ? `${error.message}.` : "Could not read that file.");
    return;
  }
  preview.width = image.width;
  preview.height = image.height;
  preview.getContext("2d")?.putImageData(image, 0, 0);
  preview.hidden = false;
  pad.clear();
  performance.mark("detect-start");
  await classify(image, "No digit found in that image.");
}

/** The picker's value for the model in use, to go back to when a switch fails. */
let activeOption = "";

/** Switches to a model; on failure keeps the previous one (and the picker on it) and says why. */
async function useModel(
  load: () => Promise<Uint8Array>,
  fileName: string,
  option: string,
): Promise<boolean> {
  modelStatus.textContent = `Loading ${fileName}…`;
  modelStatus.classList.remove("error");
  const next = (async () => Recognizer.load(await load(), fileName, inputRange.value))();
  recognizer = next.catch(() => active);
  try {
    const loaded = await next;
    active?.dispose();
    active = loaded;
    activeOption = option;
    modelStatus.textContent = `Using ${fileName}.`;
    modelFeeding.textContent = `Fed as: ${loaded.feeding}.`;
    if (!pad.isEmpty) await detectPad();
    return true;
  } catch (error) {
    // A ModelRejectedError's message is one line already; a failed download's is cut to its first.
    modelStatus.textContent = `${fileName}: ${(error as Error).message.split("\n")[0]}.`;
    modelStatus.classList.add("error");
    if ([...modelSelect.options].some((o) => o.value === activeOption)) {
      modelSelect.value = activeOption;
    }
    return false;
  }
}

async function start(): Promise<void> {
  // Runtime, model list and the likely model all download at once (the first answer comes sooner).
  warmUpRuntime();
  const guess = new URLSearchParams(location.search).get("model") ?? DEFAULT_MODEL;
  const early = fetchModel(guess);
  early.catch(() => {});
  let cards: Awaited<ReturnType<typeof listModels>> = [];
  try {
    cards = await listModels();
  } catch (error) {
    modelStatus.textContent = (error as Error).message;
  }
  for (const card of cards) modelSelect.add(new Option(describe(card), card.file));
  const first = initialModel(cards, location.search);
  if (!first) {
    modelStatus.textContent = "No models are shipped with this build.";
    return;
  }
  modelSelect.value = first;
  await useModel(() => (first === guess ? early : fetchModel(first)), first, first);
}

pad.onStrokeEnd = () => {
  preview.hidden = true; // the result is about the drawing now, not the upload
  if (live.checked) void detectPad();
};
$("detect").addEventListener("click", () => void detectPad());
$("clear").addEventListener("click", clearAll);
/** Models the user opened this session, by their option value, so they can be picked again. */
const openedModels = new Map<string, { bytes: Uint8Array; name: string }>();
modelSelect.addEventListener("change", () => {
  const value = modelSelect.value;
  const opened = openedModels.get(value);
  if (opened) void useModel(async () => opened.bytes, opened.name, value);
  else void useModel(() => fetchModel(value), value, value);
});
/** Reopens the model in use with the input scale picked (the model's own when "From the model"). */
inputRange.addEventListener("change", () => {
  const value = activeOption || modelSelect.value;
  const opened = openedModels.get(value);
  if (opened) void useModel(async () => opened.bytes, opened.name, value);
  else if (value) void useModel(() => fetchModel(value), value, value);
});
$<HTMLInputElement>("model-file").addEventListener("change", (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = "";
  if (!file) return;
  void (async () => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const value = `opened:${file.name}`;
    if (!(await useModel(async () => bytes, file.name, value))) return;
    if (!openedModels.has(value)) modelSelect.add(new Option(`${file.name} (opened)`, value));
    openedModels.set(value, { bytes, name: file.name });
    modelSelect.value = value;
  })();
});
$("download-model").addEventListener("click", async () => {
  const current = await recognizer;
  if (current) download(current.bytes, current.fileName);
  else say("No model is loaded yet.");
});
watchUploads($<HTMLInputElement>("upload"), document.body, (file) => void classifyUpload(file));

document.body.dataset.ready = "false";
const ready = start().finally(() => {
  settleFirst(active);
  // Tests and the benchmark wait for this: the model is loaded and the app answers.
  document.body.dataset.ready = "true";
  performance.mark("app-ready");
});
registerServiceWorker(ready, $("offline-status"));
