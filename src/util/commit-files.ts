import { existsSync } from "node:fs";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { failpoint } from "./failpoint.ts";

/** The order files are moved into place: training.json, the record of the rest, comes last. */
const COMMIT_ORDER = ["weights.bin", "optimizer.bin", "model.json", "training.json"];
/** A new checkpoint is written here first, inside the checkpoint's own folder. */
const STAGING = ".checkpoint-staging";
/** ...and renamed to this once every file is whole: from then on it is the checkpoint. */
const PENDING = ".checkpoint-pending";

/**
 * Puts a set of files into `dir` so that no reader, and no crash at any instant, sees files of
 * two saves mixed (short of a failed rename, which training.json's hashes then catch):
 * 1. every file is written whole (and flushed) into dir/.checkpoint-staging;
 * 2. that folder is renamed to dir/.checkpoint-pending in one step: the commit point;
 * 3. its files are renamed into dir, training.json last, and the empty folder removed.
 * A crash in 1 leaves a staging folder that the next save deletes; a crash in 2 or 3 leaves a
 * complete pending folder, which readers prefer to dir's own files and the next save finishes.
 */
export async function commitFiles(dir: string, files: Map<string, Uint8Array>, label: string) {
  await mkdir(dir, { recursive: true });
  await settleFolder(dir);
  const staging = join(dir, STAGING);
  const pending = join(dir, PENDING);
  try {
    await mkdir(staging);
    for (const [name, bytes] of files) {
      await writeFlushed(join(staging, name), bytes);
      failpoint(`${label}:staged:${name}`);
    }
    await syncDir(staging);
    await rename(staging, pending);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  failpoint(`${label}:pending`);
  try {
    await movePending(dir, label);
  } catch (error) {
    // A file could not be put in place (a folder in its way): drop the rest rather than leave a
    // pending folder that would fail the same way forever; the hashes tell readers of the mix.
    await rm(pending, { recursive: true, force: true });
    throw error;
  }
  await syncDir(dir);
}

/** Moves the files of a complete pending checkpoint into `dir`, in commit order. */
async function movePending(dir: string, label = "settle"): Promise<void> {
  const pending = join(dir, PENDING);
  const names = await readdir(pending);
  const order = [
    ...names.filter((n) => !COMMIT_ORDER.includes(n)),
    ...COMMIT_ORDER.filter((n) => names.includes(n)),
  ];
  for (const name of order) {
    await rename(join(pending, name), join(dir, name));
    failpoint(`${label}:moved:${name}`);
  }
  failpoint(`${label}:done`);
  await rm(pending, { recursive: true, force: true });
}

/**
 * Finishes or discards what a crashed save left in `dir`: a pending checkpoint is whole and is
 * moved into place; a staging folder is incomplete and is deleted. Only writers call this.
 */
export async function settleFolder(dir: string): Promise<void> {
  if (existsSync(join(dir, PENDING))) await movePending(dir);
  await rm(join(dir, STAGING), { recursive: true, force: true });
}

async function writeFlushed(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every file system lets a folder be flushed; the renames are what matter here.
  }
}

/**
 * Where a checkpoint's file is now: in the pending folder while a crashed save has not been
 * finished (it is the newer, whole checkpoint), else in the folder itself.
 */
export function checkpointFile(dir: string, name: string): string {
  const pending = join(dir, PENDING, name);
  return existsSync(pending) ? pending : join(dir, name);
}
