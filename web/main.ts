// The app's wiring: each user intent calls one action (web/actions/), actions change the state,
// and render(state) shows it. Every user-caused problem is shown inline; nothing throws.
import { clearAll } from "./actions/clear.ts";
import { detectDrawing } from "./actions/detect.ts";
import { downloadModel } from "./actions/download-model.ts";
import { finishStroke } from "./actions/finish-stroke.ts";
import { openModel } from "./actions/open-model.ts";
import { pickModel } from "./actions/pick-model.ts";
import { setInputRange } from "./actions/set-input-range.ts";
import { start } from "./actions/start.ts";
import { uploadImage } from "./actions/upload-image.ts";
import type { App } from "./app.ts";
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
  live: () => view.live.checked,
};

app.pad.onStrokeEnd = () => finishStroke(app);
view.detect.addEventListener("click", () => void detectDrawing(app));
view.clear.addEventListener("click", () => clearAll(app));
view.model.addEventListener("change", () => void pickModel(app, view.model.value));
view.modelFile.addEventListener("change", () => {
  const file = view.modelFile.files?.[0];
  view.modelFile.value = "";
  if (file) void openModel(app, file);
});
view.inputRange.addEventListener("change", () => void setInputRange(app, view.inputRange.value));
view.downloadModel.addEventListener("click", () => void downloadModel(app));
watchUploads(view.upload, document.body, (file) => void uploadImage(app, file));

document.body.dataset.ready = "false";
const ready = start(app).finally(() => {
  app.models.firstSettled();
  // Tests and the benchmark wait for this: the model is loaded and the app answers.
  document.body.dataset.ready = "true";
  performance.mark("app-ready");
});
registerServiceWorker(ready, () => app.store.set({ offlineReady: true }));
