// The build's generated files: the models and their list, the runtime, icons, manifest, and a
// service worker whose version follows the build's contents (so a new build is picked up).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PNG } from "pngjs";
import { appAssets, LITERT_FILES, serviceWorker } from "../../scripts/web/app-assets.ts";

const root = process.cwd();

function modelsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "digitkit-models-"));
  writeFileSync(join(dir, "a.tflite"), Buffer.from("model a"));
  writeFileSync(join(dir, "a.json"), JSON.stringify({ name: "A", architecture: "mlp" }));
  writeFileSync(join(dir, "b.tflite"), Buffer.from("model b"));
  mkdirSync(join(dir, "checkpoints"));
  mkdirSync(join(dir, "line-reader"));
  writeFileSync(join(dir, "line-reader", "line_reader.tflite"), Buffer.from("line reader"));
  return dir;
}

test("the build ships every model with a list made from the cards", () => {
  const dir = modelsDir();
  try {
    const assets = appAssets(root, dir);
    assert.deepEqual(JSON.parse(String(assets.get("models/index.json"))), [
      { name: "A", architecture: "mlp", file: "a.tflite" },
      { file: "b.tflite" },
    ]);
    assert.equal(Buffer.from(assets.get("models/a.tflite") as Uint8Array).toString(), "model a");
    // The line reader ships beside them, unlisted: it reads no single digit.
    const lineReader = assets.get("models/line-reader/line_reader.tflite") as Uint8Array;
    assert.equal(Buffer.from(lineReader).toString(), "line reader");
    for (const file of LITERT_FILES) assert.ok(assets.has(`litert/${file}`), file);
    const manifest = JSON.parse(String(assets.get("manifest.webmanifest")));
    assert.equal(manifest.display, "standalone");
    for (const icon of manifest.icons) {
      const png = PNG.sync.read(Buffer.from(assets.get(icon.src) as Uint8Array));
      assert.equal(`${png.width}x${png.height}`, icon.sizes);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the service worker precaches the shell and models, and its version follows the contents", async () => {
  const files = new Map<string, string | Uint8Array>([
    ["index.html", "<html>"],
    ["assets/app.js", "code"],
    ["models/a.tflite", "model"],
    ["litert/litert_wasm_internal.wasm", "wasm"],
  ]);
  const sw = await serviceWorker(root, files);
  assert.deepEqual(sw.precache, ["./", "./assets/app.js", "./index.html", "./models/a.tflite"]);
  assert.deepEqual(sw.runtime, ["./litert/litert_wasm_internal.wasm"]);
  for (const url of [...sw.precache, ...sw.runtime]) assert.ok(sw.code.includes(`"${url}"`), url);
  assert.ok(sw.code.includes(sw.version));
  assert.doesNotMatch(sw.code, /__DIGITKIT_/);
  assert.match(sw.version, /^[0-9a-f]{16}$/);
  assert.equal((await serviceWorker(root, files)).version, sw.version);
  files.set("assets/app.js", "new code");
  assert.notEqual((await serviceWorker(root, files)).version, sw.version);
});

test("the Keras converter's chunk and the line reader are not precached: kept once used", async () => {
  const files = new Map<string, string | Uint8Array>([
    ["index.html", "<html>"],
    ["assets/index-abc.js", "code"],
    ["assets/convert-keras-abc.js", "converter"],
    ["models/a.tflite", "model"],
    ["models/line-reader/line_reader.tflite", "line reader"],
  ]);
  const sw = await serviceWorker(root, files);
  assert.deepEqual(sw.precache, [
    "./",
    "./assets/index-abc.js",
    "./index.html",
    "./models/a.tflite",
  ]);
  // The line reader is fetched at the first upload, not on a first visit.
  assert.deepEqual(sw.onDemand, [
    "./assets/convert-keras-abc.js",
    "./models/line-reader/line_reader.tflite",
  ]);
});
