// The drawing pad: strokes are kept as data (points in pad units, the pad's height = 1), so the
// drawing can be redrawn at any size — after a resize, on a high-DPI screen, or into the
// fixed-size canvas the classifier reads.
import { CLASSIFY_SIDE, PEN_FRACTION as STROKE_WIDTH_RATIO } from "../src/recognize/types.ts";

export interface Point {
  x: number;
  y: number;
}
export type Stroke = Point[];

/**
 * Stroke width as a share of the pad's side (the tutorial draws 20 px lines on a 200 px pad), and
 * the side of the square canvas the strokes are rendered into for the classifier: the pad's
 * geometry, spelt once in the recognizer's contract.
 */
export { CLASSIFY_SIDE, PEN_FRACTION as STROKE_WIDTH_RATIO } from "../src/recognize/types.ts";

/**
 * Traces strokes onto a 2D context whose drawing area is side×side: white on black, round caps
 * and joins, each stroke smoothed with quadratic curves through the midpoints of its points.
 */
export function renderStrokes(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  strokes: readonly Stroke[],
  side: number,
  width = side,
): void {
  ctx.save();
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, width, side);
  ctx.strokeStyle = "#fff";
  ctx.fillStyle = "#fff";
  ctx.lineWidth = STROKE_WIDTH_RATIO * side;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const stroke of strokes) traceStroke(ctx, stroke, side);
  ctx.restore();
}

function traceStroke(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  stroke: Stroke,
  side: number,
): void {
  if (stroke.length === 0) return;
  const p = (i: number) => ({ x: stroke[i].x * side, y: stroke[i].y * side });
  const first = p(0);
  if (stroke.length === 1) {
    // A tap: a round dot as wide as the line.
    ctx.beginPath();
    ctx.arc(first.x, first.y, (STROKE_WIDTH_RATIO * side) / 2, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  ctx.moveTo(first.x, first.y);
  for (let i = 1; i < stroke.length - 1; i++) {
    const control = p(i);
    const next = p(i + 1);
    ctx.quadraticCurveTo(control.x, control.y, (control.x + next.x) / 2, (control.y + next.y) / 2);
  }
  const last = p(stroke.length - 1);
  ctx.lineTo(last.x, last.y);
  ctx.stroke();
}

let scratch: OffscreenCanvasRenderingContext2D | null = null;

/** Draws the strokes into a CLASSIFY_SIDE square and returns its RGBA pixels. */
export function rasterize(strokes: readonly Stroke[], side = CLASSIFY_SIDE): ImageData {
  // One canvas reused across calls: Detect runs often (live mode) and should not allocate.
  if (!scratch || scratch.canvas.width !== side) {
    const ctx = new OffscreenCanvas(side, side).getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("no 2D canvas context");
    scratch = ctx;
  }
  const ctx = scratch;
  renderStrokes(ctx, strokes, side);
  return ctx.getImageData(0, 0, side, side);
}

export class DrawingPad {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private strokes: Stroke[] = [];
  private current: Stroke | null = null;
  private pointerId: number | null = null;
  private frameRequested = false;
  private side = 0;
  private width = 0;
  /** Called when a stroke is finished (pointer lifted): live mode classifies here. */
  onStrokeEnd: () => void = () => {};
  /** Called when a stroke begins: an answer on screen no longer matches the drawing. */
  onStrokeStart: () => void = () => {};

  constructor(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2D canvas context");
    this.ctx = ctx;
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
    // Long-press menus and text selection would interrupt a stroke on touch screens.
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
    this.watchPixelRatio();
  }

  /** Zooming or moving to another screen changes devicePixelRatio without resizing the pad. */
  private watchPixelRatio(): void {
    const query = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    query.addEventListener(
      "change",
      () => {
        this.resize();
        this.watchPixelRatio();
      },
      { once: true },
    );
  }

  get isEmpty(): boolean {
    return this.strokes.length === 0 && this.current === null;
  }

  /** A copy of the finished strokes (plus the one being drawn). */
  getStrokes(): Stroke[] {
    const all = this.current ? [...this.strokes, this.current] : this.strokes;
    return all.map((s) => s.slice());
  }

  /** Removes the last finished stroke; false when there was none. */
  undo(): boolean {
    if (this.current || this.strokes.length === 0) return false;
    this.strokes.pop();
    this.requestRedraw();
    return true;
  }

  /** The longer side of the drawn points' bounding box, in pad units (0–1; a tap is 0). */
  extent(): number {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const stroke of this.getStrokes()) {
      for (const { x, y } of stroke) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
    return maxX >= minX ? Math.max(maxX - minX, maxY - minY) : 0;
  }

  clear(): void {
    this.strokes = [];
    this.current = null;
    this.pointerId = null;
    this.requestRedraw();
  }

  /** The drawing as the classifier sees it before preprocessing. */
  rasterize(side = CLASSIFY_SIDE): ImageData {
    return rasterize(this.getStrokes(), side);
  }

  private resize(): void {
    // Backing store in device pixels so lines stay crisp on high-DPI screens. The pad is square,
    // or wide in number mode; its height is the unit strokes are kept in.
    const rect = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const side = Math.max(1, Math.round(rect.height * dpr));
    const width = Math.max(1, Math.round(rect.width * dpr));
    if (side === this.side && width === this.width) return;
    this.side = side;
    this.width = width;
    this.canvas.width = width;
    this.canvas.height = side;
    this.redraw();
  }

  /** The pad's width over its height (1 for the square pad, wider in number mode). */
  get aspect(): number {
    return this.width / Math.max(1, this.side);
  }

  private toPad(e: PointerEvent): Point {
    const rect = this.canvas.getBoundingClientRect();
    return {
      // Both in units of the pad's height (its side when square), so a wide pad keeps shapes.
      x: (e.clientX - rect.left) / Math.max(1, rect.height),
      y: (e.clientY - rect.top) / Math.max(1, rect.height),
    };
  }

  private down(e: PointerEvent): void {
    if (this.pointerId !== null || !e.isPrimary) return;
    if (e.pointerType === "mouse" && e.button !== 0) return;
    e.preventDefault();
    this.pointerId = e.pointerId;
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // Synthetic or already-released pointers cannot be captured; drawing still works.
    }
    this.current = [this.toPad(e)];
    this.requestRedraw();
    this.onStrokeStart();
  }

  private move(e: PointerEvent): void {
    if (e.pointerId !== this.pointerId || !this.current) return;
    e.preventDefault();
    // Fast strokes deliver several positions per frame; take them all for a smooth line.
    const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    for (const event of events.length > 0 ? events : [e]) this.current.push(this.toPad(event));
    this.requestRedraw();
  }

  private up(e: PointerEvent): void {
    if (e.pointerId !== this.pointerId || !this.current) return;
    e.preventDefault();
    const last = this.toPad(e);
    const prev = this.current[this.current.length - 1];
    if (e.type === "pointerup" && (prev.x !== last.x || prev.y !== last.y)) this.current.push(last);
    this.strokes.push(this.current);
    this.current = null;
    this.pointerId = null;
    this.requestRedraw();
    this.onStrokeEnd();
  }

  private requestRedraw(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.redraw();
    });
  }

  private redraw(): void {
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    renderStrokes(this.ctx, this.getStrokes(), this.side, this.width);
  }
}
