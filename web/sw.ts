// The service worker, written by hand. The build replaces the two placeholders: the version (a
// hash of every file in the build, so a new build installs a new cache) and the precache list
// (the app shell, the LiteRT.js wasm files, the models). After one visit the app works offline.
/// <reference lib="webworker" />
export {};

declare const self: ServiceWorkerGlobalScope;

const VERSION = "__DIGITKIT_VERSION__";
const PRECACHE: string[] = JSON.parse("__DIGITKIT_PRECACHE__");
const CACHE = `digitkit-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // no-cache: revalidate with the server (a cheap 304 for files the page already fetched).
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "no-cache" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("digitkit-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(request.mode === "navigate" ? networkFirst(request) : cacheFirst(request));
});

/** Pages: the newest from the server when it answers (so a new version shows on reload), else the cached shell. */
async function networkFirst(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    const cached =
      (await cache.match(request, { ignoreSearch: true })) ?? (await cache.match("./"));
    if (cached) return cached;
    throw error;
  }
}

/** Everything else is versioned with the cache: serve it from there, fall back to the network. */
async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  return cached ?? fetch(request);
}
