// Registers the service worker that makes the app work offline (production builds only: the
// Vite dev server has no precache list), then tells it which runtime files this browser loaded
// so those are kept too. When all is cached, onOffline runs (the page then says so).

export function registerServiceWorker(appReady: Promise<void>, onOffline: () => void): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  // Registration waits for load so the precaching does not compete with the first render.
  window.addEventListener("load", () => {
    navigator.serviceWorker
      .register("./sw.js")
      .then(async () => {
        await appReady;
        const registration = await navigator.serviceWorker.ready;
        const urls = performance
          .getEntriesByType("resource")
          .map((entry) => entry.name)
          .filter((url) => new URL(url).pathname.includes("/litert/"));
        const answer = await ask(registration.active, { type: "cache-runtime", urls });
        if (answer.ok) onOffline();
      })
      .catch((error: unknown) => console.warn("offline support unavailable:", error));
  });
}

function ask(worker: ServiceWorker | null, message: unknown): Promise<{ ok: boolean }> {
  return new Promise((resolve) => {
    if (!worker) return resolve({ ok: false });
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data as { ok: boolean });
    worker.postMessage(message, [channel.port2]);
  });
}
