// The static server behind `digitkit serve`: files with the right types, a strict CSP, no way
// out of the served folder, 404s, revalidation; and the command's own behaviour.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  createStaticServer,
  listen,
  mimeType,
  resolveRequestPath,
} from "../../src/server/static-server.ts";

const parent = mkdtempSync(join(tmpdir(), "digitkit-serve-"));
const root = join(parent, "web");
let base: string;
let close: () => void;

before(async () => {
  mkdirSync(join(root, "litert"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(root, "litert", "x.wasm"), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(join(root, "app.js"), "export {};");
  writeFileSync(join(parent, "secret.txt"), "outside the root");
  const server = createStaticServer(root);
  base = await listen(server, 0, "127.0.0.1");
  close = () => {
    server.close();
    server.closeAllConnections();
  };
});

after(() => {
  close();
  rmSync(parent, { recursive: true, force: true });
});

/** A raw GET: the path is sent exactly as given (fetch would normalize `..` away). */
function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  const url = new URL(base);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

test("serves index.html for / with a CSP that allows only this origin", async () => {
  const res = await get("/");
  assert.equal(res.status, 200);
  assert.match(String(res.headers["content-type"]), /^text\/html/);
  assert.match(res.body, /<title>app<\/title>/);
  const csp = String(res.headers["content-security-policy"]);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /https?:|\*|'unsafe-inline'|'unsafe-eval'/);
});

test("wasm and scripts get their MIME types", async () => {
  assert.equal((await get("/litert/x.wasm")).headers["content-type"], "application/wasm");
  assert.match(String((await get("/app.js")).headers["content-type"]), /^text\/javascript/);
  assert.equal(mimeType("m.tflite"), "application/octet-stream");
  assert.match(mimeType("manifest.webmanifest"), /^application\/manifest\+json/);
});

test("paths that leave the root are refused", async () => {
  for (const path of [
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/litert/../../secret.txt",
    "/..%2fsecret.txt",
    "/%5c..%5csecret.txt",
  ]) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(res.body, /outside the root/, path);
  }
  assert.equal(resolveRequestPath(root, "/a/../../x"), null);
  assert.equal(resolveRequestPath(root, "/%E0%A4%A"), null);
  assert.equal(resolveRequestPath(root, "/litert/x.wasm"), join(root, "litert", "x.wasm"));
});

test("missing files are 404s, other methods 405, and an unchanged file revalidates as 304", async () => {
  assert.equal((await get("/nope.js")).status, 404);
  assert.equal((await get("/", {}, "POST")).status, 405);
  const first = await get("/app.js");
  const etag = String(first.headers.etag);
  assert.match(etag, /^".+"$/);
  assert.equal((await get("/app.js", { "if-none-match": etag })).status, 304);
  const head = await get("/app.js", {}, "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
});

test("digitkit serve says in one line when there is no build", () => {
  const run = spawnSync(
    process.execPath,
    ["bin/digitkit.js", "serve", "--root", join(parent, "none")],
    {
      encoding: "utf8",
    },
  );
  assert.equal(run.status, 1);
  assert.equal(run.stderr.trim().split("\n").length, 1);
  assert.match(run.stderr, /no built app/);
});

test("digitkit serve --port 0 picks a free port, prints the URL and serves there", async () => {
  const child = spawn(
    process.execPath,
    ["bin/digitkit.js", "serve", "--port", "0", "--root", root],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk;
        const match = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
        if (match) resolve(match[0]);
      });
      child.on("exit", () => reject(new Error(`exited: ${out}`)));
    });
    assert.notEqual(new URL(url).port, "0");
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<title>app<\/title>/);
  } finally {
    child.kill("SIGTERM");
  }
});
