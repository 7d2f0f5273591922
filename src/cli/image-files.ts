import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";

/** Extensions taken from a walked directory (files named on the command line are always tried). */
export const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".bmp", ".dib", ".gif", ".webp"]);

/** One entry to classify: a file, or a path that could not be used and why. */
export type ImageEntry = { file: string } | { file: string; error: string };

/**
 * Expands the command line's paths into image files: files as given, directories walked
 * recursively in sorted order (image extensions only, hidden entries skipped).
 */
export async function collectImageFiles(paths: string[]): Promise<ImageEntry[]> {
  const entries: ImageEntry[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      entries.push({ file: path, error: describeFsError(error) });
      continue;
    }
    if (!info.isDirectory()) {
      entries.push({ file: path });
      continue;
    }
    const found = await walk(path);
    if (found.length === 0) entries.push({ file: path, error: "no image files in this directory" });
    entries.push(...found);
  }
  return entries;
}

async function walk(dir: string): Promise<ImageEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => !name.startsWith(".")).sort();
  } catch (error) {
    return [{ file: dir, error: describeFsError(error) }];
  }
  const entries: ImageEntry[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let isDirectory = false;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch {
      // a dangling link or a file gone meanwhile: reported when it is read
    }
    if (isDirectory) entries.push(...(await walk(path)));
    else if (IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) entries.push({ file: path });
  }
  return entries;
}

/** A one-line reason for a failed file-system call. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return (error as Error).message.split("\n")[0];
}
