/**
 * `make seed` is deterministic, skewed like real data, and leaves a journal that sums to every
 * balance.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../src/db/migrations.js';
import { createPool } from '../src/db/pool.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/db/scratch-database.js';
import { seed } from '../src/dba/seed.js';

describe('seed', () => {
  let database: ScratchDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createScratchDatabase(inject('serverUrl'), 'seed');
    await migrate(database.url, 'up');
    pool = createPool(database.url, { max: 2, statementTimeoutMillis: 60_000 });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const fingerprint = async () =>
    (
      await pool.query<{ md5: string }>(
        `SELECT md5(string_agg(concat_ws(',', id, user_id, token_id, amount, usd_value, address,
                auto_convert_threshold, created_at), ';' ORDER BY id)) AS md5 FROM balances`,
      )
    ).rows[0]?.md5;

  it('gives the same rows for the same arguments, and refuses a non-empty table without replace', async () => {
    const progress: number[] = [];
    await seed(pool, { rows: 20_000, users: 1_000, onProgress: (done) => progress.push(done) });
    expect(progress.at(-1)).toBe(20_000);
    const first = await fingerprint();
    await expect(seed(pool, { rows: 20_000, users: 1_000 })).rejects.toThrow(/FORCE=1/);
    await seed(pool, { rows: 20_000, users: 1_000, replace: true });
    expect(await fingerprint()).toBe(first);
  });

  it('is skewed, with addresses on most rows, and a journal that sums to every balance', async () => {
    const { rows } = await pool.query(`
      SELECT count(*)::int AS rows,
             count(DISTINCT user_id)::int AS users,
             (SELECT max(n) FROM (SELECT count(*) AS n FROM balances GROUP BY user_id) AS c)::int AS largest,
             (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n)
                FROM (SELECT count(*) AS n FROM balances GROUP BY user_id) AS c)::int AS median,
             avg((address IS NOT NULL)::int)::float AS with_address,
             (SELECT count(*) FROM balances AS b
               WHERE b.amount <> coalesce((SELECT sum(CASE e.kind WHEN 'debit' THEN -e.amount ELSE e.amount END) FROM balance_entries AS e
                                           WHERE e.balance_id = b.id), 0))::int AS unbalanced
      FROM balances`);
    const stats = rows[0];
    expect(stats.rows).toBe(20_000);
    expect(stats.users).toBe(1_000);
    expect(stats.largest).toBeGreaterThan(20 * stats.median);
    expect(stats.with_address).toBeGreaterThan(0.8);
    expect(stats.unbalanced).toBe(0);
  });
});
