/**
 * The system under test for `make check-consistency`: a PostgreSQL and a redis-server of its
 * own (so faults can stop and restart them), and several API processes sharing both.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot, withDatabase } from '../db/database-server.js';
import { type EmbeddedServer, startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrations.js';
import { freePort } from '../net/free-port.js';
import { childrenOf } from './processes.js';

export const CHECK_SECRET = 'check-secret-check-secret-check-secret-0';

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  const settled = () =>
    check().catch((error: unknown) => {
      // A process that exited will never come up: say so now rather than at the timeout.
      if (error instanceof Error && error.message.includes('exited')) throw error;
      return false;
    });
  while (!(await settled())) {
    if (Date.now() > until) throw new Error(`${what} did not come up`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * How a RedisProcess keeps its data across restarts: an append-only file (everything written
 * comes back), or snapshots taken by SAVE (a restart comes back with the last snapshot: older
 * data, as after a crash of Debian's default configuration).
 */
export type RedisPersistence = 'append-only' | 'snapshot';

/**
 * A redis-server on a free port that keeps its data across restarts, with DEBUG allowed from
 * this machine (DEBUG SLEEP, DEBUG POPULATE).
 */
export class RedisProcess {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'check-redis-'));
  private constructor(
    readonly port: number,
    private readonly persistence: RedisPersistence,
  ) {}

  static async start(persistence: RedisPersistence = 'append-only'): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort(), persistence);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        this.persistence === 'append-only' ? 'yes' : 'no',
        '--enable-debug-command',
        'local',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      () =>
        new Promise((resolve) => {
          const ping = spawn('redis-cli', ['-p', String(this.port), 'ping'], { stdio: 'ignore' });
          ping.on('exit', (code) => resolve(code === 0));
          ping.on('error', () => resolve(false));
        }),
      'redis-server',
    );
  }

  /** Runs one command through redis-cli; resolves with its reply. */
  command(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('redis-cli', ['-p', String(this.port), ...args], (error, stdout) => {
        if (error) reject(error);
        else resolve(stdout.trim());
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A PostgreSQL of the check's own, on a fixed port so it can be restarted in place. */
export class PostgresProcess {
  private server: EmbeddedServer | undefined;
  /** The server's URL, password included; the same across restarts. */
  private serverUrlValue = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'check-postgres-'));
  private constructor(readonly port: number) {
    // As root the server runs as `postgres`, which must reach the data folder inside.
    chmodSync(this.dir, 0o755);
  }

  static async start(): Promise<PostgresProcess> {
    const postgres = new PostgresProcess(await freePort());
    await postgres.restart();
    const admin = new pg.Client({ connectionString: postgres.serverUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE balances_check');
    await admin.end();
    await migrate(postgres.url, 'up');
    return postgres;
  }

  get serverUrl(): string {
    return this.serverUrlValue;
  }

  get url(): string {
    return withDatabase(this.serverUrl, 'balances_check');
  }

  async restart(): Promise<void> {
    this.server = await startEmbeddedPostgres({ dataDir: join(this.dir, 'data'), port: this.port });
    this.serverUrlValue = this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One compiled API server (dist/server.js). */
export class ApiProcess {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(env: {
    databaseUrl: string;
    /** DATABASE_REPLICA_URLS of the process ('' or unset: none). */
    databaseReplicaUrls?: string;
    /** One Redis, or: */
    redisUrl?: string;
    /** A Redis Cluster's seed nodes (REDIS_CLUSTER_NODES). */
    redisClusterNodes?: string;
    keyPrefix: string;
    /** WORKERS of the process: more than 1 makes it a primary with that many workers. */
    workers?: number;
    /** CACHE_TIMEOUT_MS of the process; the service's default when unset. */
    cacheTimeoutMs?: number;
    /** DATABASE_MIGRATIONS_URL, when DATABASE_URL is a pooler's. */
    migrationsUrl?: string;
    /** DATABASE_TRANSACTION_POOLING=1: DATABASE_URL is a pooler in transaction mode. */
    transactionPooling?: boolean;
  }): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(projectRoot, 'dist', 'server.js')], {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATABASE_URL: env.databaseUrl,
        DATABASE_REPLICA_URLS: env.databaseReplicaUrls ?? '',
        DATABASE_MIGRATIONS_URL: env.migrationsUrl ?? '',
        DATABASE_TRANSACTION_POOLING: env.transactionPooling ? '1' : '',
        REDIS_URL: env.redisUrl ?? '',
        REDIS_CLUSTER_NODES: env.redisClusterNodes ?? '',
        CACHE_KEY_PREFIX: env.keyPrefix,
        PORT: String(port),
        AUTH_SECRET: CHECK_SECRET,
        NODE_ENV: 'production',
        LOG_LEVEL: 'error',
        DATABASE_POOL_MAX: '4',
        SHUTDOWN_DRAIN_MS: '200',
        WORKERS: String(env.workers ?? 1),
        CACHE_TIMEOUT_MS: env.cacheTimeoutMs ? String(env.cacheTimeoutMs) : '',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const api = new ApiProcess(port, child);
    await waitFor(async () => {
      if (!api.alive)
        throw new Error(`the API process on port ${port} exited with ${child.exitCode}`);
      return (await fetch(`${api.url}/healthz`)).ok;
    }, `API on port ${port}`);
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Set once the check itself stops this process; any other exit is a crash. */
  stoppedOnPurpose = false;

  /** How the process ended, for a report: `code 1`, `SIGSEGV`. */
  get exit(): string {
    return this.child.signalCode ?? `code ${this.child.exitCode}`;
  }

  /**
   * SIGKILL to one of its workers (WORKERS > 1), as the OOM killer would; resolves with the
   * killed worker's pid, or undefined when the process has no worker.
   */
  killOneWorker(): number | undefined {
    const [worker] = childrenOf(this.child.pid as number);
    if (worker !== undefined) process.kill(worker, 'SIGKILL');
    return worker;
  }

  /** SIGTERM: the graceful path; resolves with the exit code. */
  terminate(): Promise<number | null> {
    this.stoppedOnPurpose = true;
    if (!this.alive) return Promise.resolve(this.child.exitCode);
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    return exited;
  }
}

/** The cluster fixture lives in its own file; tests and the checker import it from here. */
export { RedisCluster } from './redis-cluster.js';
