/**
 * Node's file-system errors in plain words. The CLI names the path itself, so these say only what
 * went wrong and, for writes, what the user can do about it.
 */
const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "already exists",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "the file system is read-only",
  EMFILE: "too many open files",
  ENFILE: "too many open files",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many levels of symbolic links",
  EIO: "input/output error",
  ENXIO: "no such device (a socket or a device without a driver)",
  ENODEV: "no such device",
  EBUSY: "the file is busy",
  ETXTBSY: "the file is busy",
  EXDEV: "cannot move it across file systems",
  EFBIG: "the file is too large for the file system",
  ERR_FS_FILE_TOO_LARGE: "the file is too large to read",
};

/** What a user can do about a failed write, by error code. */
const REMEDIES: Record<string, string> = {
  ENOSPC: "free some space or choose another folder",
  EDQUOT: "free some space or choose another folder",
  EROFS: "choose a folder on a writable disk",
  EACCES: "choose a folder you may write to",
  EPERM: "choose a folder you may write to",
  ENOTDIR: "choose a path made of folders",
  EISDIR: "remove the folder in the way or choose another name",
  EEXIST: "remove what is in the way or choose another name",
};

export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** True for an error raised by a file-system call (it has an errno code such as ENOSPC). */
export function isFsError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (code in REASONS || /^E[A-Z]+$/.test(code));
}

/** A one-line reason for a failed file-system call, never the exception's own text. */
export function describeFsError(error: unknown): string {
  const code = errorCode(error);
  if (code && code in REASONS) return REASONS[code];
  return code ? `cannot be used (${code})` : "cannot be used";
}

/** A failed write in words: "<reason>; <what to do>" (without the path). */
export function describeWriteError(error: unknown): string {
  const code = errorCode(error);
  const remedy = code ? REMEDIES[code] : undefined;
  return remedy ? `${describeFsError(error)}; ${remedy}` : describeFsError(error);
}
