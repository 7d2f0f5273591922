// Switching models, shared by the picker, an opened file and the first load: says what is
// loading, then what is in use; on failure keeps the previous model (and the picker on it).
import type { App } from "../app.ts";
import { detectDrawing } from "./detect.ts";

export async function useModel(
  app: App,
  bytes: () => Promise<Uint8Array>,
  fileName: string,
  option: string,
): Promise<boolean> {
  const { store, models } = app;
  store.set({ modelStatus: `Loading ${fileName}…`, modelError: false });
  try {
    const loaded = await models.load(bytes, fileName, option, store.state.inputRange);
    store.set({
      modelStatus: `Using ${fileName}.`,
      modelFeeding: `Fed as: ${loaded.feeding}.`,
      selectedModel: option,
    });
    if (!app.pad.isEmpty) await detectDrawing(app);
    return true;
  } catch (error) {
    // A ModelRejectedError's message is one line already; a failed download's is cut to its first.
    const keep = store.state.models.some((m) => m.value === models.activeOption);
    store.set({
      modelStatus: `${fileName}: ${(error as Error).message.split("\n")[0]}.`,
      modelError: true,
      ...(keep ? { selectedModel: models.activeOption } : {}),
    });
    return false;
  }
}
