// The pad's rendering lives with the recognizer (the app reads numbers with it too); the stroke
// tools keep importing it from here.
export { renderPaths, renderPathsInto, smoothPath } from "../recognize/render-strokes.ts";
