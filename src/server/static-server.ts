import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";

/** Content types of every kind of file the app build contains; anything else is a download. */
const MIME_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".wasm": "application/wasm",
  ".tflite": "application/octet-stream",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/**
 * Only the app's own origin may supply anything; wasm compilation needs 'wasm-unsafe-eval';
 * drawn and uploaded images are shown through blob: and data: URLs.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function mimeType(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/**
 * Maps a request path to a file under root, or null when it would leave root (a `..` segment,
 * plain or percent-encoded), holds a backslash or NUL byte, or cannot be decoded.
 */
export function resolveRequestPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segments = decoded.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) return null;
  const base = resolve(root);
  const path = resolve(base, ...segments);
  if (path !== base && !path.startsWith(base + sep)) return null;
  return path;
}

/** The file's real path (links resolved) when it lies inside root's real path, else null. */
export async function realInside(root: string, path: string): Promise<string | null> {
  try {
    const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
    return realPath === realRoot ||
      realPath.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
      ? realPath
      : null;
  } catch {
    return null;
  }
}

/** Encodings the build precompresses (scripts/web/precompress.ts), best first, with their suffix. */
const PRECOMPRESSED = [
  { encoding: "br", suffix: ".br" },
  { encoding: "gzip", suffix: ".gz" },
] as const;

/**
 * The encodings an Accept-Encoding header allows, by name: q=0 refuses one, `*` stands for any
 * not named, no header means identity only (RFC 9110 §12.5.3).
 */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  const refused = new Set<string>();
  let star = false;
  for (const part of (header ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const ok = q === undefined || Number(q.slice(2)) > 0;
    if (name === "*") star = ok;
    else (ok ? accepted : refused).add(name);
  }
  if (star)
    for (const { encoding } of PRECOMPRESSED) if (!refused.has(encoding)) accepted.add(encoding);
  return accepted;
}

/** The precompressed sibling to send for `path`, if the client accepts one and it exists. */
async function pickEncoded(path: string, acceptEncoding: string | undefined) {
  const accepted = acceptedEncodings(acceptEncoding);
  for (const { encoding, suffix } of PRECOMPRESSED) {
    if (!accepted.has(encoding)) continue;
    const info = await stat(path + suffix).catch(() => null);
    if (info?.isFile()) return { encoding, path: path + suffix, info };
  }
  return null;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(body);
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return send(res, 405, "method not allowed\n");
  }
  const urlPath = (req.url ?? "/").split("?")[0].split("#")[0];
  let path: string | null = resolveRequestPath(root, urlPath);
  if (path === null) return send(res, 404, "not found\n");
  let info = await stat(path).catch(() => null);
  if (info?.isDirectory()) {
    path = join(path, "index.html");
    info = await stat(path).catch(() => null);
  }
  if (!info?.isFile()) return send(res, 404, "not found\n");
  // A symbolic link inside the root may point anywhere: serve only what really lies inside it.
  path = await realInside(root, path);
  if (path === null) return send(res, 404, "not found\n");

  // The same file, smaller, when the build precompressed it and the browser takes that encoding.
  res.setHeader("Vary", "Accept-Encoding");
  const encoded = await pickEncoded(path, req.headers["accept-encoding"]);
  const type = mimeType(path);
  if (encoded) {
    // The sibling is held to the same rule as the file: its real path lies inside the root.
    if ((await realInside(root, encoded.path)) === null) return send(res, 404, "not found\n");
    res.setHeader("Content-Encoding", encoded.encoding);
    path = encoded.path;
    info = encoded.info;
  }

  // Revalidate every time (cheap 304s): the service worker decides what is cached for offline.
  const tag = `${info.size}:${info.mtimeMs}:${encoded?.encoding ?? "identity"}`;
  const etag = `"${createHash("sha1").update(tag).digest("hex").slice(0, 16)}"`;
  res.setHeader("ETag", etag);
  res.setHeader("Cache-Control", "no-cache");
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304);
    res.end();
    return;
  }
  res.writeHead(200, { "Content-Type": type, "Content-Length": info.size });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(path)
    .on("error", () => res.destroy())
    .pipe(res);
}

/** An HTTP server for the files under root: static files only, nothing else. */
export function createStaticServer(root: string): Server {
  return createServer((req, res) => {
    handle(root, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, "internal error\n");
      else res.destroy();
    });
  });
}

/** Starts listening and resolves with the URL the server is reachable at (port 0 = a free one). */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      const actualPort = typeof address === "object" && address ? address.port : port;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolvePromise(`http://${shownHost}:${actualPort}/`);
    });
  });
}
