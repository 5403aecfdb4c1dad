/**
 * A PgBouncer of the test's own, in transaction mode, in front of one database: Debian's
 * `pgbouncer` (1.18), as production deployments run it. Where it is not installed the tests
 * that need it skip and say why; under CI=true they fail instead.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/net/free-port.js';

const BINARY = '/usr/sbin/pgbouncer';

/** Why PgBouncer tests cannot run here, or undefined. Throws under CI. */
export function pgbouncerSkipReason(): string | undefined {
  const found = spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).status === 0;
  const reason = found ? undefined : `${BINARY} is not installed (apt-get install pgbouncer)`;
  if (reason && process.env.CI) throw new Error(`CI must run the PgBouncer tests, but ${reason}`);
  if (reason) console.warn(`skipping PgBouncer tests: ${reason}`);
  return reason;
}

export class PgBouncer {
  private constructor(
    /** The database through PgBouncer, as `databaseUrl` names it. */
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  /** Starts PgBouncer in transaction mode in front of the database at `databaseUrl`. */
  static async start(databaseUrl: string): Promise<PgBouncer> {
    const target = new URL(databaseUrl);
    const database = decodeURIComponent(target.pathname.slice(1));
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
    const server = [
      `host=${target.hostname}`,
      `port=${target.port || 5432}`,
      `dbname=${database}`,
      `user=${decodeURIComponent(target.username) || 'postgres'}`,
      target.password ? `password=${decodeURIComponent(target.password)}` : '',
    ].join(' ');
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `${database} = ${server}`,
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
    const child = spawn(BINARY, [join(dir, 'pgbouncer.ini')], { ...account, stdio: 'ignore' });
    await waitForPort(port, child);
    // PgBouncer listens on loopback, wherever the database is (a container's address, say).
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    url.password = '';
    return new PgBouncer(url.toString(), child, dir);
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
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGINT');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
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
