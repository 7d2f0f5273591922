// Registers the service worker that makes the app work offline (production builds only: the
// Vite dev server has no precache list).

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  // Registration waits for load so the precaching does not compete with the first render.
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("./sw.js").catch((error: unknown) => {
      console.warn("offline support unavailable:", error);
    });
  });
}
