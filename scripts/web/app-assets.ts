// The Vite plugin that makes the app installable and self-contained: it adds the shipped models
// (and models/index.json from their cards), the LiteRT.js wasm runtime, the icons and the web
// manifest to the build, then writes the service worker with a precache list (the shell and the
// default model; other models and the runtime are cached when used) and a version hashed from
// every file's contents, and finally a .br and .gz beside each compressible file. The dev server serves the same generated files.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { type Plugin, transformWithEsbuild } from "vite";
import { pickDefaultModel } from "../../src/recognize/default-model.ts";
import { LINE_READER_FILE } from "../../src/recognize/line-reader.ts";
import { ICON_SIZES, iconPng } from "./icons.ts";
import { precompress } from "./precompress.ts";

/** The LiteRT.js builds a browser may pick without options: relaxed-SIMD, and the fallback. */
export const LITERT_FILES = [
  "litert_wasm_internal.js",
  "litert_wasm_internal.wasm",
  "litert_wasm_compat_internal.js",
  "litert_wasm_compat_internal.wasm",
];

export interface AppAssetOptions {
  /** Repository root (models/, node_modules/, web/sw.ts are found from here). */
  root: string;
  /** Folder of .tflite models and their cards to ship (default: models/ under root). */
  modelsDir?: string;
}

function manifest(): string {
  return JSON.stringify(
    {
      name: "DigitKit — handwritten digit recognition",
      short_name: "DigitKit",
      description: "Draw or upload a digit; a TensorFlow Lite model recognizes it on your device.",
      start_url: "./",
      scope: "./",
      display: "standalone",
      orientation: "any",
      background_color: "#111111",
      theme_color: "#111111",
      icons: [
        ...ICON_SIZES.map((size) => ({
          src: `icons/icon-${size}.png`,
          sizes: `${size}x${size}`,
          type: "image/png",
          purpose: "any",
        })),
        { src: "icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
      ],
    },
    null,
    2,
  );
}

/** Model files and their cards; a model without a card is listed by its file name alone. */
function modelAssets(dir: string): Map<string, Uint8Array | string> {
  const assets = new Map<string, Uint8Array | string>();
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".tflite"))
        .sort()
    : [];
  const cards = files.map((file) => {
    assets.set(`models/${file}`, readFileSync(join(dir, file)));
    const cardPath = join(dir, `${basename(file, ".tflite")}.json`);
    const card = existsSync(cardPath) ? JSON.parse(readFileSync(cardPath, "utf8")) : {};
    return { ...card, file };
  });
  assets.set("models/index.json", JSON.stringify(cards, null, 2));
  // The line reader that checks uploaded numbers: shipped, not listed (it reads no single digit).
  const lineReader = join(dir, LINE_READER_FILE);
  if (existsSync(lineReader)) assets.set(`models/${LINE_READER_FILE}`, readFileSync(lineReader));
  return assets;
}

/** Every generated file except the service worker, by its path in the build. */
export function appAssets(root: string, modelsDir = join(root, "models")) {
  const assets = modelAssets(modelsDir);
  const wasmDir = join(root, "node_modules/@litertjs/core/wasm");
  for (const file of LITERT_FILES) assets.set(`litert/${file}`, readFileSync(join(wasmDir, file)));
  for (const size of ICON_SIZES) assets.set(`icons/icon-${size}.png`, iconPng(size));
  assets.set("manifest.webmanifest", manifest());
  return assets;
}

export interface ServiceWorkerBuild {
  /** The compiled worker. */
  code: string;
  /** Hash of every file in the build: the cache's name, so a new build replaces the old cache. */
  version: string;
  /** Installed at once: the app shell and the default model. */
  precache: string[];
  /** The other models and the Keras converter: cached when first used (a first visit does not download them). */
  onDemand: string[];
  /** The runtime's builds: cached once the page has loaded one (see web/sw.ts). */
  runtime: string[];
}

/** The service worker for a build holding these files. */
export async function serviceWorker(
  root: string,
  files: Map<string, Uint8Array | string>,
): Promise<ServiceWorkerBuild> {
  const hash = createHash("sha256");
  const names = [...files.keys()].filter((name) => !name.endsWith(".map")).sort();
  for (const name of names) hash.update(name).update("\0").update(files.get(name)!).update("\0");
  const version = hash.digest("hex").slice(0, 16);
  const isRuntime = (name: string) => name.startsWith("litert/");
  const models = names.filter((n) => n.startsWith("models/") && n.endsWith(".tflite"));
  const defaultModel = pickDefaultModel(models.map((n) => n.slice("models/".length)));
  // The Keras converter (web/convert-keras.ts, TF.js Layers and the exporter) is loaded only when
  // a Keras file is opened: kept once fetched, like the other models, not on every first visit.
  const isConverter = (name: string) => /^assets\/convert-keras-[^/]+\.js$/.test(name);
  const isOnDemand = (name: string) =>
    isConverter(name) || (models.includes(name) && name !== `models/${defaultModel}`);
  const precache = [
    "./",
    ...names.filter((n) => !isRuntime(n) && !isOnDemand(n)).map((name) => `./${name}`),
  ];
  const runtime = names.filter(isRuntime).map((name) => `./${name}`);
  const onDemand = names.filter(isOnDemand).map((name) => `./${name}`);
  const source = readFileSync(join(root, "web/sw.ts"), "utf8")
    .replace("__DIGITKIT_VERSION__", version)
    .replace('"__DIGITKIT_PRECACHE__"', JSON.stringify(JSON.stringify(precache)))
    .replace('"__DIGITKIT_RUNTIME__"', JSON.stringify(JSON.stringify(runtime)))
    .replace('"__DIGITKIT_ON_DEMAND__"', JSON.stringify(JSON.stringify(onDemand)));
  const result = await transformWithEsbuild(source, "sw.ts", { format: "esm", target: "es2022" });
  return { code: result.code, version, precache, onDemand, runtime };
}

export function appAssetsPlugin({ root, modelsDir }: AppAssetOptions): Plugin {
  return {
    name: "digitkit-app-assets",
    configureServer(server) {
      const assets = appAssets(root, modelsDir);
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? "").split("?")[0]).replace(/^\//, "");
        const body = assets.get(path);
        if (body === undefined) return next();
        if (path.endsWith(".wasm")) res.setHeader("Content-Type", "application/wasm");
        res.end(body);
      });
    },
    // After the files are written: .br and .gz beside each, for `digitkit serve` to negotiate.
    writeBundle(options) {
      if (options.dir) precompress(options.dir);
    },
    async generateBundle(_options, bundle) {
      const files = new Map<string, Uint8Array | string>();
      for (const [name, body] of appAssets(root, modelsDir)) {
        this.emitFile({ type: "asset", fileName: name, source: body });
        files.set(name, body);
      }
      for (const [name, chunk] of Object.entries(bundle)) {
        files.set(name, chunk.type === "chunk" ? chunk.code : chunk.source);
      }
      this.emitFile({
        type: "asset",
        fileName: "sw.js",
        source: (await serviceWorker(root, files)).code,
      });
    },
  };
}
