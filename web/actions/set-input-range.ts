// Intent: "feed the model at this scale" (the app's --input-range): the model in use is opened
// again with it; "" goes back to the scale the model's file implies.
import type { App } from "../app.ts";
import { pickModel } from "./pick-model.ts";

export async function setInputRange(app: App, range: string): Promise<void> {
  app.store.set({ inputRange: range });
  const option = app.models.activeOption || app.store.state.selectedModel;
  if (option) await pickModel(app, option);
}
