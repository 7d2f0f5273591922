import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { UserError } from "./errors.ts";
import { describeFsError } from "./fs-errors.ts";
import { printable } from "./printable.ts";

/**
 * Reading a file a user names, safely: only regular files are read (a FIFO, a device or a socket
 * would block or never end), the size is checked before anything is read, and every failure is a
 * one-line UserError naming the path. The file is opened with O_NONBLOCK, so that opening a FIFO
 * cannot wait for a writer, and its type is checked again on the open descriptor (fstat), so a
 * file swapped for a device between the two checks is still refused.
 */
export interface ReadLimits {
  /** The most bytes accepted; a larger file is refused before reading. */
  maxBytes: number;
  /** What the file should be, for the size message ("an image", "a model"). */
  what?: string;
}

/** A file that could not be read: `reason` says why without the path, `message` with it. */
export class FileError extends UserError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${printable(path)}: ${reason}`);
    this.name = "FileError";
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Why a file of this type cannot be read, or null for a regular file. */
export function notRegularReason(info: Stats): string | null {
  if (info.isFile()) return null;
  if (info.isDirectory()) return "is a directory";
  if (info.isFIFO()) return "is a FIFO (named pipe), not a file";
  if (info.isSocket()) return "is a socket, not a file";
  if (info.isCharacterDevice()) return "is a character device, not a file";
  if (info.isBlockDevice()) return "is a block device, not a file";
  return "is not a regular file";
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KB`;
  return `${n} bytes`;
}

function check(path: string, info: Stats, limits: ReadLimits): void {
  const reason = notRegularReason(info);
  if (reason) throw new FileError(path, reason);
  if (info.size > limits.maxBytes) {
    throw new FileError(
      path,
      `${formatBytes(info.size)}, more than the ${formatBytes(limits.maxBytes)} allowed for ${limits.what ?? "this file"}`,
    );
  }
}

const fail = (path: string, error: unknown): never => {
  if (error instanceof UserError) throw error;
  throw new FileError(path, describeFsError(error));
};

/** Reads a whole regular file of at most `maxBytes`. */
export async function readRegularFile(path: string, limits: ReadLimits): Promise<Uint8Array> {
  try {
    check(path, await stat(path), limits);
    const handle = await open(path, OPEN_FLAGS);
    try {
      const info = await handle.stat();
      check(path, info, limits);
      const bytes = new Uint8Array(info.size);
      let at = 0;
      while (at < bytes.length) {
        const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
        if (bytesRead === 0) break; // shrank meanwhile: what is there is what we have
        at += bytesRead;
      }
      return at === bytes.length ? bytes : bytes.subarray(0, at);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return fail(path, error);
  }
}

/** readRegularFile, synchronously. */
export function readRegularFileSync(path: string, limits: ReadLimits): Uint8Array {
  try {
    check(path, statSync(path), limits);
    const fd = openSync(path, OPEN_FLAGS);
    try {
      const info = fstatSync(fd);
      check(path, info, limits);
      const bytes = new Uint8Array(info.size);
      let at = 0;
      while (at < bytes.length) {
        const read = readSync(fd, bytes, at, bytes.length - at, at);
        if (read === 0) break;
        at += read;
      }
      return at === bytes.length ? bytes : bytes.subarray(0, at);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return fail(path, error);
  }
}
