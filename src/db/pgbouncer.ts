/**
 * A PgBouncer of its own, in transaction mode, as production deployments run it: Debian's
 * `pgbouncer` (1.18), with its config and log in a temporary folder, on a free port. For the
 * tests (`make test-pgbouncer` puts one in front of the whole suite) and for
 * `make check-consistency CHECK_PG=pgbouncer`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../net/free-port.js';
import { withDatabase } from './database-server.js';

export const PGBOUNCER_BINARY = '/usr/sbin/pgbouncer';

export class PgBouncer {
  private constructor(
    /** The database through PgBouncer, as `databaseUrl` names it. */
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  /**
   * Starts PgBouncer in transaction mode in front of the database at `databaseUrl`, or with
   * `allDatabases`, in front of every database on its server (a wildcard entry, so databases
   * created later, such as the tests' scratch databases, are reachable through it too).
   */
  static async start(
    databaseUrl: string,
    options: { allDatabases?: boolean } = {},
  ): Promise<PgBouncer> {
    const target = new URL(databaseUrl);
    const database = decodeURIComponent(target.pathname.slice(1));
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
    const server = [
      `host=${target.hostname}`,
      `port=${target.port || 5432}`,
      options.allDatabases ? '' : `dbname=${database}`,
      `user=${decodeURIComponent(target.username) || 'postgres'}`,
      target.password ? `password=${decodeURIComponent(target.password)}` : '',
    ].join(' ');
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `${options.allDatabases ? '*' : database} = ${server}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'pool_mode = transaction',
        // Clients on loopback, in a test: who they are is not what is tested.
        'auth_type = any',
        'default_pool_size = 20',
        'max_client_conn = 200',
        'server_reset_query =',
        // Its admin console (SHOW STATS) for the client user, to prove traffic went through it.
        `admin_users = ${decodeURIComponent(target.username) || 'postgres'}`,
        // After PostgreSQL restarts, try again within a second, not the default 15.
        'server_login_retry = 1',
        // A client waits for a server connection this long at most, not the default 120 s.
        'query_wait_timeout = 10',
        `logfile = ${join(dir, 'pgbouncer.log')}`,
      ].join('\n'),
      { mode: 0o600 },
    );
    // PgBouncer refuses to run as root: as root it runs as the postgres account.
    const asRoot = userInfo().uid === 0;
    const account = asRoot
      ? {
          uid: Number(execFileSync('id', ['-u', 'postgres'])),
          gid: Number(execFileSync('id', ['-g', 'postgres'])),
        }
      : {};
    if (asRoot) {
      chmodSync(dir, 0o755);
      chownSync(dir, account.uid as number, account.gid as number);
      chownSync(join(dir, 'pgbouncer.ini'), account.uid as number, account.gid as number);
    }
    const child = spawn(PGBOUNCER_BINARY, [join(dir, 'pgbouncer.ini')], {
      ...account,
      stdio: 'ignore',
    });
    // Not installed (ENOENT) is an error to report, not an unhandled event that ends the process.
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    try {
      await waitForPort(port, child, () => spawnError);
    } catch (error) {
      child.kill('SIGINT');
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    // PgBouncer listens on loopback, wherever the database is (a container's address, say).
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    url.password = '';
    return new PgBouncer(url.toString(), child, dir);
  }

  /**
   * Transactions PgBouncer has relayed to `database` (its admin console's SHOW STATS): proof
   * that traffic went through it, not around it.
   */
  async transactionsRelayed(database: string): Promise<number> {
    const client = new pg.Client({ connectionString: withDatabase(this.url, 'pgbouncer') });
    await client.connect();
    try {
      // The admin console speaks the simple protocol only: a query with no parameters.
      const { rows } = await client.query<{ database: string; total_xact_count: string }>(
        'SHOW STATS',
      );
      return Number(rows.find((row) => row.database === database)?.total_xact_count ?? 0);
    } finally {
      await client.end();
    }
  }

  /** PgBouncer's own log, for a failing test's message. */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'pgbouncer.log'), 'utf8');
    } catch {
      return '(no log)';
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGINT');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitForPort(
  port: number,
  child: ChildProcess,
  spawnError: () => Error | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const failed = spawnError();
    if (failed) throw new Error(`${PGBOUNCER_BINARY} did not start: ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('pgbouncer did not listen');
}
