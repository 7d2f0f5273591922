// The app's wiring: each user intent calls one action (web/actions/), actions change the state,
// and render(state) shows it. Every user-caused problem is shown inline; nothing throws.
import { clearAll } from "./actions/clear.ts";
import { detectDrawing } from "./actions/detect.ts";
import { downloadModel } from "./actions/download-model.ts";
import { openModel } from "./actions/open-model.ts";
import { pickModel } from "./actions/pick-model.ts";
import { setNumberMode } from "./actions/read-number.ts";
import { start } from "./actions/start.ts";
import { finishStroke, startStroke, undoStroke } from "./actions/strokes.ts";
import { uploadImage } from "./actions/upload-image.ts";
import type { App } from "./app.ts";
import { watchInstallPrompt } from "./install.ts";
import { LiveTimer } from "./live.ts";
import { ModelSession } from "./model-session.ts";
import { DrawingPad } from "./pad.ts";
import { render } from "./render.ts";
import { initialState, Store } from "./state.ts";
import { registerServiceWorker } from "./sw-register.ts";
import { watchUploads } from "./upload.ts";
import { findView } from "./view.ts";

const view = findView(document);
const app: App = {
  store: new Store(initialState, (state, previous) => render(view, state, previous)),
  pad: new DrawingPad(view.pad),
  models: new ModelSession(),
  live: new LiveTimer(() => view.live.checked),
  inputRange: () => view.inputRange.value,
};

app.pad.onStrokeStart = () => startStroke(app);
app.pad.onStrokeEnd = () => finishStroke(app);
view.undo.addEventListener("click", () => undoStroke(app));
document.addEventListener("keydown", (e) => {
  // Ctrl+Z (Cmd+Z on a Mac) undoes a stroke, except where it would undo typing.
  if (!(e.ctrlKey || e.metaKey) || e.shiftKey || e.key.toLowerCase() !== "z") return;
  if (e.target instanceof HTMLInputElement && e.target.type !== "checkbox") return;
  e.preventDefault();
  undoStroke(app);
});
view.detect.addEventListener("click", () => void detectDrawing(app));
const numberSwitch = document.querySelector<HTMLInputElement>('[data-testid="number-mode"]');
numberSwitch?.addEventListener("change", () => setNumberMode(app, numberSwitch.checked));
if (new URLSearchParams(location.search).get("number") === "1") setNumberMode(app, true);
view.clear.addEventListener("click", () => clearAll(app));
view.model.addEventListener("change", () => void pickModel(app, view.model.value));
// A new input scale reopens the model in use with it.
view.inputRange.addEventListener("change", () => {
  void pickModel(app, app.models.activeOption || view.model.value);
});
view.modelFile.addEventListener("change", () => {
  // Several files: a TF.js model.json with its weight shards.
  const files = [...(view.modelFile.files ?? [])];
  view.modelFile.value = "";
  void openModel(app, files);
});
view.downloadModel.addEventListener("click", () => void downloadModel(app));
// Real buttons in front of the file inputs (the inputs stay: they take the file).
view.uploadButton.addEventListener("click", () => view.upload.click());
view.openModel.addEventListener("click", () => view.modelFile.click());
watchInstallPrompt(app, view.install);
watchUploads(view.upload, document.body, (file) => void uploadImage(app, file));

document.body.dataset.ready = "false";
const ready = start(app).finally(() => {
  app.models.firstSettled();
  // Tests and the benchmark wait for this: the model is loaded and the app answers.
  document.body.dataset.ready = "true";
  performance.mark("app-ready");
});
registerServiceWorker(ready, () => app.store.set({ offlineReady: true }));
