// The service worker, written by hand. The build replaces the placeholders: the version (a hash
// of every file in the build, so a new build installs a new cache and drops the old one) and the
// precache list (the app shell and the default model). Other models are cached when first picked.
// The LiteRT.js runtime comes in two builds of ~9 MB each, loaded only for a model the app's own
// TypeScript path cannot run; the one this browser loaded is cached, when the page names it (or on fetch).
/// <reference lib="webworker" />
export {};

declare const self: ServiceWorkerGlobalScope;

const VERSION = "__DIGITKIT_VERSION__";
const PRECACHE: string[] = JSON.parse("__DIGITKIT_PRECACHE__");
const RUNTIME: string[] = JSON.parse("__DIGITKIT_RUNTIME__");
const ON_DEMAND: string[] = JSON.parse("__DIGITKIT_ON_DEMAND__");
const CACHE = `digitkit-${VERSION}`;
const runtimeUrls = new Set(RUNTIME.map((path) => new URL(path, self.location.href).href));
/** Files kept once fetched: the runtime build in use and the models the user picked. */
const keptWhenFetched = new Set([
  ...runtimeUrls,
  ...ON_DEMAND.map((path) => new URL(path, self.location.href).href),
]);

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

/** The page names the runtime files it loaded: keep them for offline use, then answer. */
self.addEventListener("message", (event) => {
  const data = event.data as { type?: string; urls?: unknown } | null;
  if (data?.type !== "cache-runtime" || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((url): url is string => runtimeUrls.has(String(url)));
  const reply = event.ports[0];
  event.waitUntil(
    (async () => {
      try {
        const cache = await caches.open(CACHE);
        const missing: string[] = [];
        for (const url of urls) if (!(await cache.match(url))) missing.push(url);
        await cache.addAll(missing);
        reply?.postMessage({ ok: true, cached: urls.length });
      } catch (error) {
        reply?.postMessage({ ok: false, error: String(error) });
      }
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(request.mode === "navigate" ? networkFirst(request) : cacheFirst(request));
});

/** Pages: the newest from the server when it answers (a new version shows on reload), else the cached shell. */
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

/** Everything else is versioned with the cache: serve it from there, else fetch (and keep runtime files). */
async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  const url = request.url.split("?")[0];
  if (response.ok && keptWhenFetched.has(url)) await cache.put(url, response.clone());
  return response;
}
