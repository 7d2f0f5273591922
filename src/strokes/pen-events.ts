/**
 * Drawing on the app's pad from inside the page: the pointer events a pen makes (down, moves, up
 * per stroke) dispatched through the app's own handlers, so a whole batch of drawings costs one
 * round trip to the browser instead of one per point. Shared by `npm run eval:strokes` and
 * `npm run bench app`.
 */

/** Draws strokes of [clientX, clientY] points on the element with data-testid="pad". */
export type PenStrokes = (strokes: number[][][]) => void;

/**
 * Defines `window.penStrokes` (a PenStrokes). Install it with `context.addInitScript(
 * installPenStrokes)` and call it from `page.evaluate`: the browser runs this function's source,
 * so it uses nothing from outside itself.
 */
export function installPenStrokes(): void {
  const draw: PenStrokes = (strokes) => {
    const pad = document.querySelector<HTMLElement>('[data-testid="pad"]');
    if (!pad) throw new Error("no pad on the page");
    const fire = (type: string, [x, y]: number[]) =>
      pad.dispatchEvent(
        new PointerEvent(type, {
          bubbles: true,
          cancelable: true,
          pointerId: 1,
          isPrimary: true,
          pointerType: "mouse",
          button: type === "pointermove" ? -1 : 0,
          buttons: type === "pointerup" ? 0 : 1,
          clientX: x,
          clientY: y,
        }),
      );
    for (const stroke of strokes) {
      fire("pointerdown", stroke[0]);
      for (const point of stroke.slice(1)) fire("pointermove", point);
      fire("pointerup", stroke[stroke.length - 1]);
    }
  };
  (globalThis as unknown as { penStrokes: PenStrokes }).penStrokes = draw;
}
