/**
 * A PostgreSQL primary and a streaming replica of its own, for tests and `make
 * check-consistency CHECK_PG=replica`: PostgreSQL 15's `initdb`, then `pg_basebackup -R -X
 * stream` (the replica follows the primary over streaming replication), both on free ports
 * in a temporary folder, run as the `postgres` account when this process is root. The replica
 * can be stopped, restarted and made to lag (`recovery_min_apply_delay`).
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresRunner } from '../db/embedded/system-user.js';
import { freePort } from '../net/free-port.js';

/** Where Debian puts PostgreSQL 15's programs; POSTGRES_REPLICA_BIN overrides it. */
const BIN = process.env.POSTGRES_REPLICA_BIN || '/usr/lib/postgresql/15/bin';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PostgresWithReplica {
  private constructor(
    private readonly dir: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  /**
   * Starts the primary, copies it into a replica and starts that, replaying `applyDelayMs`
   * behind (0: as fast as it can).
   * @throws Error when PostgreSQL 15's programs are missing or a server does not start
   */
  static async start(options: { applyDelayMs?: number } = {}): Promise<PostgresWithReplica> {
    const dir = mkdtempSync(join(tmpdir(), 'postgres-replica-'));
    const runner = postgresRunner();
    chownSync(dir, runner.uid, runner.gid);
    const primaryPort = await freePort();
    let replicaPort = await freePort();
    while (replicaPort === primaryPort) replicaPort = await freePort();
    const servers = new PostgresWithReplica(dir, primaryPort, replicaPort);
    try {
      await servers.run('initdb', '-D', servers.data('primary'), '-U', 'postgres', '--auth=trust');
      await servers.configure('primary', primaryPort, [
        // The replica's queries must not cancel, nor be cancelled by, the primary's vacuum.
        'hot_standby_feedback = on',
      ]);
      await servers.startServer('primary');
      await servers.run(
        'pg_basebackup',
        ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
        ...['-D', servers.data('replica'), '-R', '-X', 'stream', '-c', 'fast'],
      );
      await servers.configure('replica', replicaPort, [
        `recovery_min_apply_delay = '${options.applyDelayMs ?? 0}ms'`,
        'hot_standby_feedback = on',
      ]);
      await servers.startReplica();
    } catch (error) {
      await servers.remove();
      throw error;
    }
    return servers;
  }

  /** The primary's URL for `database`. */
  primaryUrl(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.primaryPort}/${database}`;
  }

  /** The replica's URL for `database`. */
  replicaUrl(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.replicaPort}/${database}`;
  }

  /** Stops the primary (`-m fast`: sessions ended, a clean shutdown); the replica waits. */
  async stopPrimary(): Promise<void> {
    await this.run('pg_ctl', '-D', this.data('primary'), '-m', 'fast', '-w', 'stop');
  }

  /** Starts the primary again; the replica reconnects to it by itself. */
  async startPrimary(): Promise<void> {
    await this.startServer('primary');
  }

  /** Stops the replica at once (`pg_ctl -m immediate`, as a crash). */
  async stopReplica(): Promise<void> {
    await this.run('pg_ctl', '-D', this.data('replica'), '-m', 'immediate', '-w', 'stop');
  }

  /** Starts the replica again; it resumes streaming where it stopped. */
  async startReplica(): Promise<void> {
    await this.startServer('replica');
    await this.waitUntil(async () => {
      const rows = await this.ask(this.replicaUrl(), 'SELECT pg_is_in_recovery() AS standby');
      return rows[0]?.standby === true;
    }, 'the replica accepting reads');
  }

  /** Changes how far behind the replica replays commits (reloaded, no restart). */
  async setApplyDelay(ms: number): Promise<void> {
    await this.ask(this.replicaUrl(), `ALTER SYSTEM SET recovery_min_apply_delay = '${ms}ms'`);
    await this.ask(this.replicaUrl(), 'SELECT pg_reload_conf()');
  }

  /** Waits until the replica has replayed everything the primary has written so far. */
  async waitForReplay(timeoutMs = 30_000): Promise<void> {
    const [row] = await this.ask(
      this.primaryUrl(),
      'SELECT pg_current_wal_insert_lsn()::text AS lsn',
    );
    await this.waitUntil(
      async () => {
        const rows = await this.ask(
          this.replicaUrl(),
          `SELECT pg_last_wal_replay_lsn() >= '${row?.lsn}'::pg_lsn AS done`,
        );
        return rows[0]?.done === true;
      },
      'the replica replaying the primary',
      timeoutMs,
    );
  }

  /** Stops both servers and deletes their folder. */
  async remove(): Promise<void> {
    for (const server of ['replica', 'primary'])
      await this.run('pg_ctl', '-D', this.data(server), '-m', 'immediate', '-w', 'stop').catch(
        () => {},
      );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private data(server: string): string {
    return join(this.dir, server);
  }

  private async configure(server: string, port: number, extra: string[]): Promise<void> {
    const lines = [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${this.dir}'`,
      // A test server: speed over durability (the data folder is thrown away).
      'fsync = off',
      'synchronous_commit = on',
      'max_connections = 100',
      ...extra,
    ];
    await appendFile(join(this.data(server), 'postgresql.auto.conf'), `${lines.join('\n')}\n`);
  }

  private async startServer(server: string): Promise<void> {
    const log = join(this.dir, `${server}.log`);
    writeFileSync(log, '', { flag: 'a' });
    const runner = postgresRunner();
    chownSync(log, runner.uid, runner.gid);
    await this.run('pg_ctl', '-D', this.data(server), '-l', log, '-w', '-t', '60', 'start');
  }

  private async ask(url: string, sql: string): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  }

  private async waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** Runs one of PostgreSQL's programs as the account PostgreSQL runs as. */
  private run(program: string, ...args: string[]): Promise<string> {
    const runner = postgresRunner();
    return new Promise((resolve, reject) => {
      execFile(
        join(BIN, program),
        args,
        { uid: runner.uid, gid: runner.gid, cwd: this.dir, env: { ...process.env, LC_ALL: 'C' } },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${program} failed: ${stderr.trim() || error.message}`));
          else resolve(stdout);
        },
      );
    });
  }
}
