import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createStaticServer, listen } from "../../src/server/static-server.ts";

// `serve` shows only what it was given: a link inside the served folder that points out of it
// (to /etc/passwd, to a folder beside it) is a 404; links that stay inside still work.

const parent = mkdtempSync(join(tmpdir(), "digitkit-hostile-serve-"));
after(() => rmSync(parent, { recursive: true, force: true }));

function fetchStatus(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

test("links out of the root are 404, links inside it are served, FIFOs are 404", async () => {
  const root = join(parent, "web");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), "app");
  writeFileSync(join(root, "assets", "a.js"), "inside");
  mkdirSync(join(parent, "outside"));
  writeFileSync(join(parent, "outside", "secret.txt"), "secret");
  symlinkSync("/etc/passwd", join(root, "passwd.txt"));
  symlinkSync(join(parent, "outside"), join(root, "out"));
  symlinkSync("../outside/secret.txt", join(root, "secret.txt"));
  symlinkSync("assets/a.js", join(root, "alias.js"));
  execFileSync("mkfifo", [join(root, "pipe.txt")]);
  const server = createStaticServer(root);
  const base = await listen(server, 0, "127.0.0.1");
  try {
    for (const path of ["passwd.txt", "out/secret.txt", "secret.txt", "pipe.txt"]) {
      const { status, body } = await fetchStatus(`${base}${path}`);
      assert.equal(status, 404, path);
      assert.ok(!body.includes("root:") && !body.includes("secret"), path);
    }
    assert.deepEqual(await fetchStatus(`${base}alias.js`), { status: 200, body: "inside" });
    assert.deepEqual(await fetchStatus(base), { status: 200, body: "app" });
  } finally {
    server.close();
    server.closeAllConnections();
  }
});
