// Builds the web app (web/) into dist/web; `npm run dev` serves it with Vite for development.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { appAssetsPlugin } from "./scripts/web/app-assets.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: "web",
  base: "./",
  publicDir: false,
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    target: "es2022",
    // The service worker precaches everything; one bundle keeps the first visit to few requests.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: { fs: { allow: [root] } },
  // DIGITKIT_MODELS_DIR ships models from another folder (e.g. freshly exported ones).
  plugins: [appAssetsPlugin({ root, modelsDir: process.env.DIGITKIT_MODELS_DIR || undefined })],
});
