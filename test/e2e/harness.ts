// What the browser tests share: the built app served by `digitkit serve` on a free port, Debian's
// Chromium driven by playwright-core, a record of every request, screenshots, and drawing on
// the pad as a person would (mouse, or real touch events through the DevTools protocol).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";
import { loadStrokeDigits, type StrokeDigit } from "../../src/strokes/dataset.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = "test-artifacts";
const WEB_ROOT = "dist/web";

/** Folder the build takes its models from (see vite.config.ts). */
export const MODELS_DIR = process.env.DIGITKIT_MODELS_DIR || "models";

/** Builds the app unless this test run already did (scripts/run-tests.mjs builds once). */
export function ensureBuilt(): void {
  if (process.env.DIGITKIT_WEB_BUILT === "1" && existsSync(join(WEB_ROOT, "index.html"))) return;
  const build = spawnSync(process.execPath, ["node_modules/vite/bin/vite.js", "build"], {
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
  process.env.DIGITKIT_WEB_BUILT = "1";
}

export interface Served {
  url: string;
  origin: string;
  stop(): Promise<void>;
}

/** Starts `digitkit serve --port 0` on `root` (the app's build) and reads the URL it prints. */
export async function serve(root = WEB_ROOT): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["bin/digitkit.js", "serve", "--port", "0", "--root", root],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve printed no URL: ${out}`)), 20_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/http:\/\/\S+/);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("exit", (code) => reject(new Error(`serve exited (${code}): ${out}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launch(): Promise<Browser> {
  // Playwright gives every launch a fresh temporary profile (user-data-dir).
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Makes a context ready for these tests: every request is recorded into `urls`, and tsx's
 * `__name` helper (which it adds to functions we pass to page.evaluate) is defined in the page.
 */
export async function prepareContext(context: BrowserContext, urls: string[]): Promise<void> {
  context.on("request", (request) => urls.push(request.url()));
  await context.addInitScript("globalThis.__name = (f) => f;");
}

/** Requests that went anywhere but the app's origin (data: and blob: stay in the page). */
export function foreignRequests(urls: readonly string[], origin: string): string[] {
  return urls.filter(
    (url) => !url.startsWith(`${origin}/`) && !url.startsWith("data:") && !url.startsWith("blob:"),
  );
}

/** Opens the app and waits until its model is loaded. */
export async function openApp(page: Page, url: string): Promise<void> {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  const status = await page.getByTestId("model-status").textContent();
  if (!status?.startsWith("Using ")) throw new Error(`model not loaded: ${status} ${errors}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The screens the app is checked on: a desktop, and a phone with touch and 3× pixels. */
export const SCREENS = {
  desktop: { viewport: { width: 1280, height: 900 } },
  phone: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  },
} satisfies Record<string, BrowserContextOptions>;
export type Screen = keyof typeof SCREENS;

/** The app served and a Chromium launched for the tests around it, and pages of it. */
export interface AppUnderTest {
  readonly server: Served;
  readonly browser: Browser;
  /** A fresh context (every request it makes recorded in `requests`) with the app open at `url`. */
  openPage(
    options?: BrowserContextOptions,
    requests?: string[],
    url?: string,
  ): Promise<{ context: BrowserContext; page: Page }>;
}

/**
 * Serves the built app and launches Chromium before this file's (or suite's) tests, and closes
 * both after them: the hooks are registered where it is called.
 */
export function useApp(): AppUnderTest {
  let server: Served | undefined;
  let browser: Browser | undefined;
  before(async () => {
    ensureBuilt();
    server = await serve();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the app is not served yet (use it inside a test)");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get browser() {
      return started(browser);
    },
    async openPage(options = {}, requests = [], url) {
      const context = await started(browser).newContext(options);
      await prepareContext(context, requests);
      const page = await context.newPage();
      await openApp(page, url ?? started(server).url);
      return { context, page };
    },
  };
}

export { loadStrokeDigits, type StrokeDigit };

/** Picks `perDigit` samples of each digit, spread evenly through the file (deterministic). */
export function sampleDigits(all: readonly StrokeDigit[], perDigit: number): StrokeDigit[] {
  const picked: StrokeDigit[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const ofDigit = all.filter((d) => d.label === digit);
    for (let i = 0; i < perDigit; i++) {
      picked.push(ofDigit[Math.floor(((i + 0.5) * ofDigit.length) / perDigit)]);
    }
  }
  return picked;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Tablet strokes (y grows upwards) as page coordinates inside the pad: y flipped, the digit's
 * bounding box scaled to fit the pad with a margin, aspect kept, centred.
 */
export function strokesOnPad(strokes: [number, number][][], pad: Box, margin = 0.18) {
  const points = strokes.flat();
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(...ys);
  const maxY = Math.max(...ys);
  const inner = pad.width * (1 - 2 * margin);
  const scale = inner / Math.max(maxX - minX, maxY - minY, 1);
  const offsetX = pad.x + (pad.width - (maxX - minX) * scale) / 2;
  const offsetY = pad.y + (pad.height - (maxY - minY) * scale) / 2;
  return strokes.map((stroke) =>
    stroke.map(([x, y]) => ({ x: offsetX + (x - minX) * scale, y: offsetY + (maxY - y) * scale })),
  );
}

export async function padBox(page: Page): Promise<Box> {
  const box = await page.getByTestId("pad").boundingBox();
  if (!box) throw new Error("pad is not visible");
  return box;
}

/** Draws strokes with the mouse: real pointer events, one move per recorded point. */
export async function drawWithMouse(page: Page, strokes: { x: number; y: number }[][]) {
  for (const stroke of strokes) {
    await page.mouse.move(stroke[0].x, stroke[0].y);
    await page.mouse.down();
    for (const point of stroke.slice(1)) await page.mouse.move(point.x, point.y);
    await page.mouse.up();
  }
}

/** Draws strokes with a finger: touch events dispatched by the browser's input pipeline. */
export async function drawWithTouch(page: Page, strokes: { x: number; y: number }[][]) {
  const cdp = await page.context().newCDPSession(page);
  for (const stroke of strokes) {
    const at = (p: { x: number; y: number }) => [{ x: p.x, y: p.y, id: 1, radiusX: 2, radiusY: 2 }];
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: at(stroke[0]) });
    for (const point of stroke.slice(1)) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: at(point) });
    }
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  }
  await cdp.detach();
}

/** Clicks Detect and returns what the app shows. */
export async function detect(page: Page) {
  await page.getByTestId("detect").click();
  return readResult(page);
}

export async function readResult(page: Page) {
  return page.evaluate(() => {
    const text = (id: string) =>
      document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? "";
    const bars = [
      ...document.querySelectorAll<HTMLElement>('[data-testid="probabilities"] [data-digit]'),
    ];
    return {
      prediction: text("prediction"),
      probability: text("probability"),
      timeCost: text("time-cost"),
      message: text("message"),
      runnerUp: text("runner-up"),
      bars: bars.map((bar) => ({
        digit: Number(bar.dataset.digit),
        value: Number(bar.dataset.value),
      })),
      detections: performance.getEntriesByName("detect").length,
    };
  });
}

/** How many pixels of the pad's backing store are lit (the drawing is there). */
export function inkOnPad(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="pad"]')!;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 128) lit++;
    return lit;
  });
}
