// Compressed serving: the build's precompressed .br/.gz siblings, negotiated by Accept-Encoding
// (q-values, `*`, refusals), the same bytes once decoded, Vary and per-encoding ETags.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { precompress } from "../../scripts/web/precompress.ts";
import { acceptedEncodings, createStaticServer, listen } from "../../src/server/static-server.ts";

const root = mkdtempSync(join(tmpdir(), "digitkit-compress-"));
const script = `export const digits = ${JSON.stringify(Array.from({ length: 2000 }, (_, i) => i % 10))};\n`;
let base: string;
let close: () => void;

before(async () => {
  writeFileSync(join(root, "app.js"), script);
  writeFileSync(join(root, "icon.png"), Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  const made = precompress(root);
  assert.equal(made.files, 1, "only the script is worth compressing");
  const server = createStaticServer(root);
  base = await listen(server, 0, "127.0.0.1");
  close = () => {
    server.close();
    server.closeAllConnections();
  };
});

after(() => {
  close();
  rmSync(root, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string>) {
  const url = new URL(base);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.on("error", reject);
      req.end();
    },
  );
}

test("Accept-Encoding is read with its q-values, refusals and *", () => {
  assert.deepEqual([...acceptedEncodings("gzip, deflate, br, zstd")].sort(), [
    "br",
    "deflate",
    "gzip",
    "zstd",
  ]);
  assert.deepEqual([...acceptedEncodings("br;q=0, gzip;q=0.5")], ["gzip"]);
  assert.deepEqual([...acceptedEncodings("*;q=0.1, br;q=0")], ["gzip"]);
  assert.deepEqual([...acceptedEncodings(undefined)], []);
  assert.deepEqual([...acceptedEncodings("identity")], ["identity"]);
});

test("the smallest encoding the browser takes is sent; decoded, the bytes are the file's", async () => {
  const br = await get("/app.js", { "accept-encoding": "gzip, deflate, br" });
  assert.equal(br.headers["content-encoding"], "br");
  assert.equal(br.headers["content-type"], "text/javascript; charset=utf-8");
  assert.equal(br.headers.vary, "Accept-Encoding");
  assert.equal(Number(br.headers["content-length"]), br.body.length);
  assert.ok(br.body.length < script.length / 5, `brotli is small (${br.body.length} bytes)`);
  assert.equal(brotliDecompressSync(br.body).toString(), script);

  const gz = await get("/app.js", { "accept-encoding": "gzip" });
  assert.equal(gz.headers["content-encoding"], "gzip");
  assert.equal(gunzipSync(gz.body).toString(), script);
  assert.notEqual(gz.headers.etag, br.headers.etag, "each encoding has its own ETag");

  const plain = await get("/app.js", {});
  assert.equal(plain.headers["content-encoding"], undefined);
  assert.equal(plain.body.toString(), readFileSync(join(root, "app.js"), "utf8"));

  const again = await get("/app.js", {
    "accept-encoding": "br",
    "if-none-match": String(br.headers.etag),
  });
  assert.equal(again.status, 304);

  const png = await get("/icon.png", { "accept-encoding": "br, gzip" });
  assert.equal(png.headers["content-encoding"], undefined, "images are sent as they are");
});
