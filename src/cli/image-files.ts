import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { describeFsError } from "../util/fs-errors.ts";

export { describeFsError } from "../util/fs-errors.ts";

/** Extensions taken from a walked directory (files named on the command line are always tried). */
export const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".bmp", ".dib", ".gif", ".webp"]);

/** One entry to classify: a file, or a path that could not be used and why. */
export type ImageEntry = { file: string } | { file: string; error: string };

/** A directory's identity (device and inode): the same folder reached by two paths has one. */
const identity = (info: { dev: number; ino: number }) => `${info.dev}:${info.ino}`;

/**
 * Expands the command line's paths into image files: files as given, directories walked
 * recursively in sorted order (image extensions only, hidden entries skipped). Symbolic links
 * are followed, but each real directory is walked once, so links back to a parent (a loop, or
 * two links to the same folder) cannot make the walk repeat or never end.
 */
export async function collectImageFiles(paths: string[]): Promise<ImageEntry[]> {
  const entries: ImageEntry[] = [];
  const visited = new Set<string>();
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
    if (visited.has(identity(info))) continue;
    visited.add(identity(info));
    const found = await walk(path, visited);
    if (found.length === 0) entries.push({ file: path, error: "no image files in this directory" });
    entries.push(...found);
  }
  return entries;
}

async function walk(dir: string, visited: Set<string>): Promise<ImageEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => !name.startsWith(".")).sort();
  } catch (error) {
    return [{ file: dir, error: describeFsError(error) }];
  }
  const entries: ImageEntry[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null); // a dangling link: reported when it is read
    if (info?.isDirectory()) {
      if (visited.has(identity(info))) continue;
      visited.add(identity(info));
      entries.push(...(await walk(path, visited)));
    } else if (IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) {
      entries.push({ file: path });
    }
  }
  return entries;
}
