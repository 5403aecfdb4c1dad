/**
 * `make explain` on seeded data: every query uses its declared index, and the check fails when
 * an index is dropped or a query is rewritten so that it cannot use its index.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../src/db/migrations.js';
import { createPool } from '../src/db/pool.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/db/scratch-database.js';
import { explainQueries } from '../src/dba/explain.js';
import { seed } from '../src/dba/seed.js';
import { readSqlFiles } from '../src/dba/sql-files.js';

describe('explainQueries', () => {
  let database: ScratchDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createScratchDatabase(inject('serverUrl'), 'explain');
    await migrate(database.url, 'up');
    pool = createPool(database.url, { max: 2, statementTimeoutMillis: 60_000 });
    await seed(pool, { rows: 50_000 });
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('finds every query on its declared index in a seeded database', async () => {
    const result = await explainQueries(pool);
    expect(result.balanceRows).toBe(50_000);
    expect(result.reports).toHaveLength(readSqlFiles().length);
    expect(result.reports.filter((r) => r.violations.length > 0)).toEqual([]);
    const total = result.reports.find((r) => r.query === 'BalanceTotalUsdByUser');
    expect(total?.analyzed.scans).toEqual(['Index Only Scan on idx_balances_user_usd']);
  });

  it('fails a query rewritten so that it cannot use its index', async () => {
    const files = readSqlFiles().filter((f) => f.path === 'balances/find_by_address.sql');
    const rewritten = files.map((f) => ({
      ...f,
      text: f.text.replace('WHERE address = :address!', 'WHERE lower(address) = lower(:address!)'),
    }));
    expect(rewritten[0]?.text).toContain('lower(address)');
    const [report] = (await explainQueries(pool, rewritten)).reports;
    expect(report?.violations.join('\n')).toMatch(/does not use idx_balances_address/);
  });

  it('fails the queries whose index was dropped, naming it', async () => {
    await pool.query('DROP INDEX idx_balances_user_created');
    const files = readSqlFiles();
    const failed = (await explainQueries(pool, files)).reports.filter(
      (r) => r.violations.length > 0,
    );
    expect(failed.map((r) => r.query).sort()).toEqual([
      'BalanceListByUserAfterCursor',
      'BalanceListByUserPage',
    ]);
    expect(failed[0]?.violations[0]).toMatch(/does not use idx_balances_user_created/);
  });
});
