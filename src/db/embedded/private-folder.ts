import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, rename, rmdir } from 'node:fs/promises';

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
 * Creates `path` (its parents must exist) with the given owner and mode, then checks with
 * `lstat` what stands there: a real folder (not a symlink), owned as required, with exactly
 * that mode. Anything else was not made by us (a planted symlink, a folder of another user
 * under a shared temp or cache directory) and is refused.
 *
 * @throws UnsafeFolderError naming the folder, what is wrong and what to do.
 */
export async function ensureFolder(path: string, rule: FolderRule): Promise<void> {
  if (!(await exists(path))) await createInPlace(path, rule);
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

/**
 * Makes the folder beside its final path, gives it its owner and mode, then renames it into
 * place, so no one (a concurrent start of ours included) ever sees it half made. A rename onto
 * an empty folder replaces it; onto anything else it fails, and what stands there is checked.
 */
async function createInPlace(path: string, rule: FolderRule): Promise<void> {
  const staging = `${path}.new-${randomBytes(6).toString('hex')}`;
  await mkdir(staging, { mode: 0o700 });
  try {
    await chown(staging, rule.uid, rule.gid);
    await chmod(staging, rule.mode); // mkdir's mode passes through the umask
    await rename(staging, path);
  } catch (error) {
    await rmdir(staging).catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}
