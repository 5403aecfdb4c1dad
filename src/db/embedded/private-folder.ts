import { chmod, chown, lstat, mkdir } from 'node:fs/promises';

/** What a folder must be before this process trusts it with a database or its binaries. */
export interface FolderRule {
  /** The owner it must have (and is given when this process creates it). */
  uid: number;
  gid: number;
  /** Its permission bits, exactly (0o700 for private, 0o755 for shared read-only). */
  mode: number;
}

/** A folder that exists but is not what it must be: refused, never "fixed" in place. */
export class UnsafeFolderError extends Error {}

/**
 * Creates `path` (its parents must exist) with the given owner and mode, or, if it exists,
 * checks with `lstat` that it is a real folder (not a symlink), owned as required, with
 * exactly that mode. Anything else was not made by us (a planted symlink, a folder of another
 * user under a shared temp or cache directory) and is refused.
 *
 * @throws UnsafeFolderError naming the folder, what is wrong and what to do.
 */
export async function ensureFolder(path: string, rule: FolderRule): Promise<void> {
  try {
    await mkdir(path, { mode: rule.mode });
    // mkdir's mode passes through the umask, and the owner is ours until we say otherwise.
    await chown(path, rule.uid, rule.gid);
    await chmod(path, rule.mode);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const found = await lstat(path);
  const problem = found.isSymbolicLink()
    ? 'is a symbolic link'
    : !found.isDirectory()
      ? 'is not a folder'
      : found.uid !== rule.uid
        ? `is owned by uid ${found.uid}, not ${rule.uid}`
        : (found.mode & 0o777) !== rule.mode
          ? `has mode ${octal(found.mode & 0o777)}, not ${octal(rule.mode)}`
          : undefined;
  if (problem) {
    throw new UnsafeFolderError(
      `refusing to use ${path}: it ${problem}; remove it if it is not yours, or set EMBEDDED_POSTGRES_DIR`,
    );
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}
