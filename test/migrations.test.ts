import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate, migrationStatus } from '../src/db/migrations.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/db/scratch-database.js';

const TABLES = [
  'balance_entries',
  'balances',
  'cache_invalidations',
  'idempotency_keys',
  'transfers',
];
const INDEXES = [
  'idx_balance_entries_balance',
  'idx_balance_entries_pkey',
  'idx_balance_entries_transfer',
  'idx_balances_address',
  'idx_balances_pkey',
  'idx_balances_user_created',
  'idx_balances_user_token',
  'idx_balances_user_usd',
  'idx_cache_invalidations_pkey',
  'idx_cache_invalidations_prefix',
  'idx_idempotency_keys_created',
  'idx_idempotency_keys_pkey',
  'idx_transfers_pkey',
];

describe('migrations', () => {
  let database: ScratchDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createScratchDatabase(inject('serverUrl'), 'migrations');
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  async function tables(): Promise<string[]> {
    const { rows } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'pgmigrations'
       ORDER BY tablename`,
    );
    return rows.map((row) => row.tablename);
  }

  async function indexes(): Promise<string[]> {
    const { rows } = await client.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'pgmigrations'
       ORDER BY indexname`,
    );
    return rows.map((row) => row.indexname);
  }

  it('run up, all the way down, and up again to the same schema', async () => {
    const applied = await migrate(database.url, 'up');
    expect(applied.length).toBeGreaterThan(0);
    expect(await tables()).toEqual(TABLES);
    expect(await indexes()).toEqual(INDEXES);
    expect((await migrationStatus(database.url)).every((m) => m.appliedAt)).toBe(true);

    const rolledBack = await migrate(database.url, 'down', { count: Number.POSITIVE_INFINITY });
    expect(rolledBack).toEqual([...applied].reverse());
    expect(await tables()).toEqual([]);
    expect((await migrationStatus(database.url)).some((m) => m.appliedAt)).toBe(false);

    expect(await migrate(database.url, 'up')).toEqual(applied);
    expect(await tables()).toEqual(TABLES);
    expect(await indexes()).toEqual(INDEXES);
  });

  it('step down through closed balances, transfers and scoped keys with data in them, and up again', async () => {
    await migrate(database.url, 'up');
    await client.query(`INSERT INTO balances (user_id, token_id, amount, deleted_at)
                        VALUES (1, 1, 0, now()), (1, 1, 5, NULL)`);
    await client.query(`INSERT INTO idempotency_keys (subject, key, request_fingerprint, response)
                        VALUES ('a', 'same', 'x', '{}'), ('b', 'same', 'y', '{}')`);
    // 0007 (validation), 0006 (scoped keys): the colliding keys collapse to one.
    await migrate(database.url, 'down', { count: 2 });
    const { rows: keys } = await client.query('SELECT key FROM idempotency_keys');
    expect(keys).toEqual([{ key: 'same' }]);
    // 0005 (transfers), 0004 (closed balances): the closed balance goes, the open one stays.
    await migrate(database.url, 'down', { count: 2 });
    const { rows: balances } = await client.query('SELECT amount FROM balances');
    expect(balances).toEqual([{ amount: '5' }]);
    expect(await migrate(database.url, 'up')).toHaveLength(4);
    expect(await indexes()).toEqual(INDEXES);
    await client.query('TRUNCATE balances, balance_entries, transfers, idempotency_keys');
  });

  it('roll back one step at a time by default', async () => {
    const before = await migrationStatus(database.url);
    const [last] = await migrate(database.url, 'down');
    const after = await migrationStatus(database.url);
    expect(last).toBe(before.at(-1)?.name);
    expect(after.at(-1)?.appliedAt).toBeUndefined();
    expect(after.slice(0, -1).every((m) => m.appliedAt)).toBe(true);
    await migrate(database.url, 'up');
  });

  it('lets two instances migrate at once: one applies every migration, the other waits and finds none, and no lock is left', async () => {
    // Also through make test-pgbouncer, where a session-level lock would be taken on one server
    // session and left there: the lock is a transaction's (src/db/migrations.ts).
    const fresh = await createScratchDatabase(inject('serverUrl'), 'migrations_race');
    try {
      const [first, second] = await Promise.all([
        migrate(fresh.url, 'up'),
        migrate(fresh.url, 'up'),
      ]);
      expect(Math.min(first.length, second.length)).toBe(0);
      expect(first.length + second.length).toBeGreaterThan(0);
      const { rows } = await client.query<{ held: string }>(
        `SELECT count(*) AS held FROM pg_locks
         WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
        [fresh.name],
      );
      expect(rows[0]?.held).toBe('0');
    } finally {
      await fresh.drop();
    }
  });
});
