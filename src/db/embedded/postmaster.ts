import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PostgresBinaries } from './binaries.js';
import { ensureFolder } from './private-folder.js';
import type { SystemUser } from './system-user.js';

/** What `postmaster.pid` says about a server running on a data folder. */
export interface PostmasterInfo {
  pid: number;
  port: number;
  /** `starting`, `ready` or `stopping` (line 8 of the file). */
  status: string;
}

/**
 * Initialises `dataDir` with `initdb` if it has no cluster yet. initdb runs in a staging folder
 * beside it, renamed into place when done, so two first starts at once cannot both initialise
 * one folder, and an interrupted initdb leaves no half-made cluster behind.
 */
export async function initialiseIfMissing(options: {
  binaries: PostgresBinaries;
  dataDir: string;
  runner: SystemUser;
  password: string;
  onChild: (child: ChildProcess | undefined) => void;
}): Promise<boolean> {
  const { binaries, dataDir, runner } = options;
  if (await hasCluster(dataDir)) return false;
  const staging = await mkdtemp(join(dirname(dataDir), '.initdb-'));
  try {
    await chown(staging, runner.uid, runner.gid);
    await chmod(staging, 0o700);
    // In a 0700 folder of the runner's: initdb reads it, and it is gone before the rename.
    const passwordFile = join(staging, 'password');
    await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
    await chown(passwordFile, runner.uid, runner.gid);
    await ensureFolder(join(staging, 'data'), { uid: runner.uid, gid: runner.gid, mode: 0o700 });
    await run(
      binaries.initdb,
      [
        `--pgdata=${join(staging, 'data')}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      runner,
      options.onChild,
    );
    try {
      await rename(join(staging, 'data'), dataDir);
    } catch (error) {
      // Another start initialised the folder first: use its cluster.
      const code = (error as NodeJS.ErrnoException).code;
      if (!(code === 'ENOTEMPTY' || code === 'EEXIST') || !(await hasCluster(dataDir))) throw error;
    }
    return true;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function hasCluster(dataDir: string): Promise<boolean> {
  try {
    await readFile(join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

/** The server's own log, in its data folder: it outlives any one process of ours. */
export function serverLogFile(dataDir: string): string {
  return join(dataDir, 'postmaster.log');
}

/**
 * Starts the postmaster in its own process group (a Ctrl-C in the terminal reaches this process,
 * which stops the server after its requests, not the server first), on loopback only, with no
 * Unix socket, logging to its data folder. Resolves when `postmaster.pid` says it is ready.
 *
 * @throws Error with its last log lines when it exits first (another postmaster holds the
 * folder, the port is taken, ...).
 */
export async function spawnPostmaster(options: {
  binaries: PostgresBinaries;
  dataDir: string;
  port: number;
  runner: SystemUser;
  onChild: (child: ChildProcess | undefined) => void;
}): Promise<ChildProcess> {
  const { binaries, dataDir, port, runner } = options;
  const log = await open(serverLogFile(dataDir), 'a', 0o600);
  let child: ChildProcess;
  try {
    await log.chown(runner.uid, runner.gid);
    child = spawn(
      binaries.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'lc_messages=C',
        // Query statistics for `make doctor` (the extension itself is created per database).
        '-c',
        'shared_preload_libraries=pg_stat_statements',
      ],
      {
        uid: runner.uid,
        gid: runner.gid,
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
      },
    );
  } finally {
    await log.close();
  }
  options.onChild(child);
  const failed: { error?: Error } = {};
  child.once('error', (error) => (failed.error = spawnFailure(binaries.postgres, runner, error)));
  child.once('exit', (code, signal) => {
    failed.error ??= new Error(`PostgreSQL exited during start-up (${signal ?? `code ${code}`})`);
  });
  for (;;) {
    if (failed.error) {
      options.onChild(undefined);
      throw new Error(`${failed.error.message}: ${await logTail(dataDir)}`);
    }
    const running = await runningPostmaster(dataDir);
    if (running && running.pid === child.pid && running.status === 'ready') return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The last lines of the server's log, for an error message. */
async function logTail(dataDir: string): Promise<string> {
  const text = await readFile(serverLogFile(dataDir), 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-3).join(' / ') || `see ${serverLogFile(dataDir)}`;
}

/** Runs a program to completion as `runner`; rejects with its output when it fails. */
function run(
  program: string,
  args: string[],
  runner: SystemUser,
  onChild: (child: ChildProcess | undefined) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      uid: runner.uid,
      gid: runner.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onChild(child);
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => {
      onChild(undefined);
      reject(spawnFailure(program, runner, error));
    });
    child.once('close', (code, signal) => {
      onChild(undefined);
      if (code === 0) resolve();
      else reject(new Error(`${program} failed (${signal ?? `code ${code}`}): ${output.trim()}`));
    });
  });
}

function spawnFailure(program: string, runner: SystemUser, error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES') {
    return new Error(
      `the ${runner.name} account cannot run ${program} (EACCES): a folder on its path is closed to it; set EMBEDDED_POSTGRES_BINARY_CACHE or DATABASE_URL`,
    );
  }
  return new Error(`cannot run ${program}: ${error.message}`);
}

/** The server named by `dataDir/postmaster.pid`, if that process is alive. */
export async function runningPostmaster(dataDir: string): Promise<PostmasterInfo | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  // postmaster.pid: line 1 the pid, line 4 the port, line 8 the status.
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return { pid, port, status: (lines[7] ?? '').trim() };
}

/**
 * Stops a postmaster by pid (fast shutdown: sessions end, nothing is lost) and waits for it to
 * exit; after `timeoutMs`, an immediate shutdown.
 */
export async function stopPostmaster(pid: number, timeoutMs = 15_000): Promise<void> {
  if (!signal(pid, 'SIGINT')) return;
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGQUIT');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
