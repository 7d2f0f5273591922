// Intent: "install the app". Chromium fires beforeinstallprompt when the app is installable;
// the button shows only then, and pressing it opens the browser's own install dialog.
import type { App } from "./app.ts";

interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

export function watchInstallPrompt(app: App, button: HTMLButtonElement): void {
  let offered: InstallPromptEvent | null = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault(); // keep it for the button instead of the browser's mini-infobar
    offered = event as InstallPromptEvent;
    app.store.set({ installable: true });
  });
  window.addEventListener("appinstalled", () => {
    offered = null;
    app.store.set({ installable: false });
  });
  button.addEventListener("click", async () => {
    if (!offered) return;
    const prompt = offered;
    offered = null;
    app.store.set({ installable: false });
    await prompt.prompt();
  });
}
