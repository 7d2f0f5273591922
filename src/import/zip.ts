import { Unzip, UnzipInflate } from "fflate";
import { ImportError } from "./import-error.ts";

/**
 * Reads named entries of a zip archive (a Keras 3 `.keras` file) with fflate's streaming
 * unzipper. Each wanted entry has its own byte limit; inflation runs in small steps and stops
 * as soon as an entry outgrows its limit or the size its header declares, so a zip bomb costs
 * at most one step past the limit. Entries not asked for are skipped without being inflated.
 */
export function readZipEntries(
  bytes: Uint8Array,
  limits: Record<string, number>,
): Map<string, Uint8Array> {
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new ImportError("not a zip archive (no PK signature)");
  }
  const parts = new Map<string, Uint8Array[]>();
  const sizes = new Map<string, number>();
  const done = new Set<string>();
  let failure: string | undefined;
  const unzip = new Unzip((file) => {
    const limit = limits[file.name];
    if (limit === undefined || parts.has(file.name)) return; // not ours, or a duplicate name
    if (file.originalSize !== undefined && file.originalSize > limit) {
      failure = `${file.name} declares ${file.originalSize} bytes, more than the ${limit} allowed`;
      return;
    }
    const cap = Math.min(limit, file.originalSize ?? limit);
    parts.set(file.name, []);
    sizes.set(file.name, 0);
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        failure = `${file.name} is damaged (${error.message})`;
        return;
      }
      const size = sizes.get(file.name)! + chunk.length;
      if (size > cap) {
        failure = `${file.name} inflates past ${cap} bytes (a zip bomb or a damaged entry)`;
        file.terminate();
        return;
      }
      sizes.set(file.name, size);
      parts.get(file.name)!.push(chunk);
      if (final) done.add(file.name);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  // 4 KiB of deflate input inflates to at most about 4 MiB: the overshoot past a limit.
  const step = 4096;
  try {
    for (let i = 0; i < bytes.length && !failure; i += step) {
      const end = Math.min(bytes.length, i + step);
      unzip.push(bytes.subarray(i, end), end === bytes.length);
    }
  } catch (error) {
    failure ??= `damaged zip archive (${(error as Error).message})`;
  }
  if (failure) throw new ImportError(failure);
  const entries = new Map<string, Uint8Array>();
  for (const [name, chunks] of parts) {
    if (!done.has(name)) throw new ImportError(`${name} is cut short (truncated archive?)`);
    const out = new Uint8Array(sizes.get(name)!);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    entries.set(name, out);
  }
  return entries;
}
