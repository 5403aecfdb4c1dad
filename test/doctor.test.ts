/**
 * `make doctor` passes on a healthy seeded database and reports planted faults: a dropped
 * index, an altered journal entry, a pending migration.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../src/db/migrations.js';
import { createPool } from '../src/db/pool.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/db/scratch-database.js';
import { type Check, runDoctor } from '../src/dba/doctor.js';
import { seed } from '../src/dba/seed.js';
import { balanceCredit } from '../src/queries/balances/credit.queries.js';
import { balanceDebit } from '../src/queries/balances/debit.queries.js';
import { redisSkipReason, sharedRedisUrl } from './support/redis.js';

const redisSkip = await redisSkipReason();

describe('runDoctor', () => {
  let database: ScratchDatabase;
  let pool: pg.Pool;
  const doctor = () => runDoctor({ pool, databaseUrl: database.url });
  const failing = (checks: Check[]) =>
    checks.filter((c) => c.verdict === 'FAIL').map((c) => c.name);

  beforeAll(async () => {
    database = await createScratchDatabase(inject('serverUrl'), 'doctor');
    await migrate(database.url, 'up');
    pool = createPool(database.url, { max: 2, statementTimeoutMillis: 60_000 });
    await seed(pool, { rows: 5_000 });
    // Journal a credit and a debit too: debits are stored positive and must count negatively.
    await balanceCredit.run({ id: '1', amount: '5' }, pool);
    await balanceDebit.run({ id: '1', amount: '2' }, pool);
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('passes on a healthy database', async () => {
    const checks = await doctor();
    expect(failing(checks)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'migrations',
        'indexes',
        'index usage',
        'journal',
        'top statements',
        'cache',
      ]),
    );
  });

  it.skipIf(redisSkip !== undefined)(
    'reports Redis, its keys and its hit rate when REDIS_URL is set',
    async () => {
      const checks = await runDoctor({
        pool,
        databaseUrl: database.url,
        redisUrl: sharedRedisUrl,
        keyPrefix: 'doctor-test:',
      });
      expect(checks.find((c) => c.name === 'redis')?.verdict).toBe('OK');
      expect(checks.find((c) => c.name === 'cache keys')?.detail).toBe(
        '0 keys match doctor-test:balance:*',
      );
      expect(checks.find((c) => c.name === 'cache hit rate')?.verdict).toBe('OK');
    },
  );

  it('fails when Redis cannot be reached', async () => {
    const checks = await runDoctor({
      pool,
      databaseUrl: database.url,
      redisUrl: 'redis://127.0.0.1:1',
    });
    expect(checks.find((c) => c.name === 'redis')?.verdict).toBe('FAIL');
  });

  it('fails on an altered journal entry, naming the balance', async () => {
    const { rows } = await pool.query<{ id: string; balance_id: string }>(
      'SELECT id, balance_id FROM balance_entries ORDER BY id LIMIT 1',
    );
    const entry = rows[0];
    await pool.query('UPDATE balance_entries SET amount = amount + 1 WHERE id = $1', [entry?.id]);
    const journal = (await doctor()).find((c) => c.name === 'journal');
    expect(journal?.verdict).toBe('FAIL');
    expect(journal?.lines?.join('\n')).toContain(`balance ${entry?.balance_id}:`);
    await pool.query('UPDATE balance_entries SET amount = amount - 1 WHERE id = $1', [entry?.id]);
  });

  it('checks closed balances’ journals too', async () => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO balances (user_id, token_id, amount, deleted_at)
       VALUES (9223372036854775806, 1, 0, now()) RETURNING id`,
    );
    const closed = rows[0]?.id;
    const [entry] = (
      await pool.query<{ id: string }>(
        `INSERT INTO balance_entries (balance_id, kind, amount, balance_after)
         VALUES ($1, 'credit', 1, 1) RETURNING id`,
        [closed],
      )
    ).rows;
    const journal = (await doctor()).find((c) => c.name === 'journal');
    expect(journal?.verdict).toBe('FAIL');
    expect(journal?.lines?.join('\n')).toContain(`balance ${closed}: amount 0, journal sums to 1`);
    await pool.query('DELETE FROM balance_entries WHERE id = $1', [entry?.id]);
    expect((await doctor()).find((c) => c.name === 'journal')?.verdict).toBe('OK');
  });

  it('fails on a dropped index, naming the query that declares it, and on a pending migration', async () => {
    await pool.query('DROP INDEX idx_balances_address');
    await migrate(database.url, 'down');
    const checks = await doctor();
    expect(failing(checks)).toEqual(['migrations', 'indexes']);
    const indexes = checks.find((c) => c.name === 'indexes');
    expect(indexes?.detail).toContain(
      'idx_balances_address is missing (declared by balances/find_by_address.sql)',
    );
  });
});
