/**
 * Behind PgBouncer in transaction mode (Debian's 1.18), where a session's settings and prepared
 * statements do not survive from one transaction to the next: the server starts and serves, and
 * the pool's timeouts still apply, set per transaction.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import { projectRoot } from '../src/db/database-server.js';
import { allowsNamedStatements, createPool } from '../src/db/pool.js';
import { inTransaction } from '../src/db/transaction.js';
import { DatabaseUnavailableError } from '../src/errors.js';
import { freePort } from '../src/net/free-port.js';
import { TEST_SECRET } from './support/api.js';
import { uniqueUserId } from './support/ids.js';
import { PgBouncer, pgbouncerSkipReason } from './support/pgbouncer.js';
import { buildStack } from './support/service.js';

const skip = pgbouncerSkipReason();

describe.skipIf(skip !== undefined)('behind PgBouncer in transaction mode', () => {
  let bouncer: PgBouncer;

  beforeAll(async () => {
    // A PgBouncer of this file's own, in front of PostgreSQL itself (directDatabaseUrl), also
    // under make test-pgbouncer: a pooler behind a pooler would test neither. The lock holders
    // below connect directly too, so what holds the lock is not what is being tested.
    bouncer = await PgBouncer.start(inject('directDatabaseUrl'));
  });

  afterAll(async () => {
    await bouncer?.stop();
  });

  it('starts the server and serves reads and writes through it', async () => {
    const port = await freePort();
    let output = '';
    const server: ChildProcess = spawn(process.execPath, ['dist/server.js'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: bouncer.url,
        DATABASE_MIGRATIONS_URL: inject('directDatabaseUrl'),
        DATABASE_TRANSACTION_POOLING: '1',
        REDIS_URL: '',
        AUTH_SECRET: TEST_SECRET,
        NODE_ENV: 'production',
        SHUTDOWN_DRAIN_MS: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk) => (output += chunk));
    server.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      for (let attempt = 0; ; attempt++) {
        if (server.exitCode !== null || attempt > 200)
          throw new Error(`no start:\n${output}\npgbouncer:\n${bouncer.log()}`);
        const ready = await fetch(`${base}/readyz`).catch(() => undefined);
        if (ready?.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const headers = {
        Authorization: `Bearer ${await signToken({ userId: 'ops', role: 'admin' }, TEST_SECRET)}`,
        'Content-Type': 'application/json',
      };
      const created = await fetch(`${base}/v1/balances`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ userId: uniqueUserId(), tokenId: '1', amount: '10' }),
      });
      expect(created.status, output).toBe(201);
      const { id } = (await created.json()) as { id: string };
      // Many statements, each free to land on another server session.
      for (let i = 0; i < 20; i++) {
        const moved = await fetch(`${base}/v1/balances/${id}/${i % 2 ? 'debit' : 'credit'}`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ amount: '0.5' }),
        });
        expect(moved.status, output).toBe(200);
      }
      const read = await fetch(`${base}/v1/balances/${id}`, { headers });
      expect(((await read.json()) as { amount: string }).amount).toBe('10');
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  }, 60_000);

  it('applies the statement and lock timeouts in every transaction', async () => {
    const pool = createPool(bouncer.url, {
      transactionPooling: true,
      statementTimeoutMillis: 1_500,
      lockTimeoutMillis: 200,
    });
    const holder = new pg.Client({ connectionString: inject('directDatabaseUrl') });
    await holder.connect();
    try {
      const settings = await inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ statement: string; lock: string }>(
          "SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock",
        );
        return rows[0];
      }).catch((error: Error) => {
        throw new Error(`${error.message}\npgbouncer:\n${bouncer.log()}`);
      });
      expect(settings).toEqual({ statement: '1500ms', lock: '200ms' });

      // A lock held elsewhere: the wait ends at the lock timeout (55P03), not never.
      const table = `pgbouncer_lock_probe_${process.pid}`;
      await holder.query(`CREATE TABLE ${table} (id int)`);
      try {
        await holder.query('BEGIN');
        await holder.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
        const blocked = inTransaction(pool, (client) =>
          client.query(`SELECT count(*) FROM ${table}`),
        );
        await expect(blocked).rejects.toMatchObject({ code: '55P03' });
        await holder.query('ROLLBACK');
      } finally {
        await holder.query(`DROP TABLE ${table}`);
      }

      const slow = inTransaction(pool, (client) => client.query('SELECT pg_sleep(5)'));
      await expect(slow).rejects.toMatchObject({ code: '57014' }); // statement_timeout
    } finally {
      await holder.end();
      await pool.end();
    }
  }, 30_000);

  it('ends a write waiting on a locked row at the lock timeout, its outcome known (nothing written)', async () => {
    // A write is one statement; sent alone through the pooler it would carry no lock timeout
    // and wait until the client-side deadline, its outcome unknown (a 502 to the client).
    const pool = createPool(bouncer.url, { transactionPooling: true, lockTimeoutMillis: 300 });
    expect(allowsNamedStatements(pool)).toBe(false);
    const stack = buildStack({ pool, kind: 'memory' });
    const holder = new pg.Client({ connectionString: inject('directDatabaseUrl') });
    await holder.connect();
    try {
      const balance = await stack.service.create({
        userId: uniqueUserId(),
        tokenId: '1',
        amount: '5',
      });
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM balances WHERE id = $1 FOR UPDATE', [balance.id]);
      const credit = stack.service.credit(balance.id, '1');
      await expect(credit).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(credit).rejects.toMatchObject({ cause: { code: '55P03' } });
      await holder.query('ROLLBACK');
      expect((await stack.service.findById(balance.id))?.amount).toBe('5');
    } finally {
      await holder.end();
      await stack.close();
      await pool.end();
    }
  });
});
