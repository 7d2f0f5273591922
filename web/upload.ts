// Images from outside the pad — file picker, drag-and-drop, paste — decoded by the browser
// itself (createImageBitmap), so any format it can show can be classified.

/** Photos are scaled down to at most this side before classification; digits need far less. */
export const MAX_UPLOAD_SIDE = 1024;

export class UnreadableImageError extends Error {
  constructor(name: string) {
    super(`could not read ${name ? `"${name}"` : "that file"} as an image`);
    this.name = "UnreadableImageError";
  }
}

/** Decodes an image file into RGBA pixels; an unreadable file is an UnreadableImageError. */
export async function decodeImage(file: Blob & { name?: string }): Promise<ImageData> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new UnreadableImageError(file.name ?? "");
  }
  try {
    const scale = Math.min(1, MAX_UPLOAD_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new UnreadableImageError(file.name ?? "");
    ctx.drawImage(bitmap, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height);
  } finally {
    bitmap.close();
  }
}

/** The first image-like file among a drop's or a paste's items, if any. */
export function pickFile(data: DataTransfer | null): File | null {
  if (!data) return null;
  const files = Array.from(data.files);
  return files.find((f) => f.type.startsWith("image/")) ?? files[0] ?? null;
}

/**
 * Wires the file input, drag-and-drop onto the page and paste to one handler. Drops and pastes
 * that carry no file are ignored (a pasted text is not an image upload).
 */
export function watchUploads(
  input: HTMLInputElement,
  dropZone: HTMLElement,
  onFile: (file: File) => void,
): void {
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) onFile(file);
    input.value = ""; // choosing the same file again still fires change
  });
  dropZone.addEventListener("dragover", (e) => {
    if (!e.dataTransfer?.types.includes("Files")) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    dropZone.classList.add("dragging");
  });
  dropZone.addEventListener("dragleave", (e) => {
    if (e.target === dropZone) dropZone.classList.remove("dragging");
  });
  dropZone.addEventListener("drop", (e) => {
    dropZone.classList.remove("dragging");
    const file = pickFile(e.dataTransfer);
    if (!file) return;
    e.preventDefault();
    onFile(file);
  });
  document.addEventListener("paste", (e) => {
    const file = pickFile(e.clipboardData);
    if (!file) return;
    e.preventDefault();
    onFile(file);
  });
}
