/**
 * Serialization failures and deadlocks are retried a bounded number of times; other errors are
 * not. The deadlock here is a real one, made by two transactions locking two rows in opposite
 * orders.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../src/db/pool.js';
import { inTransaction } from '../src/db/transaction.js';
import { balanceCreate } from '../src/queries/balances/create.queries.js';
import { uniqueUserId } from './support/ids.js';

describe('inTransaction', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = createPool(inject('databaseUrl'), { max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
  });

  async function newBalanceId(): Promise<string> {
    const [row] = await balanceCreate.run(
      { userId: uniqueUserId(), tokenId: '1', amount: '0', usdValue: '0' },
      pool,
    );
    return row?.id ?? '';
  }

  it('retries the victim of a deadlock, so both transactions commit', async () => {
    const [a, b] = [await newBalanceId(), await newBalanceId()];
    let bothHoldTheirFirstLock!: () => void;
    const barrier = new Promise<void>((resolve) => (bothHoldTheirFirstLock = resolve));
    let holding = 0;
    const attempts = { first: 0, second: 0 };
    const lockBoth = (name: keyof typeof attempts, first: string, second: string) =>
      inTransaction(pool, async (client) => {
        attempts[name]++;
        await client.query('UPDATE balances SET usd_value = usd_value + 1 WHERE id = $1', [first]);
        if (attempts[name] === 1) {
          if (++holding === 2) bothHoldTheirFirstLock();
          await barrier;
        }
        await client.query('UPDATE balances SET usd_value = usd_value + 1 WHERE id = $1', [second]);
      });

    await Promise.all([lockBoth('first', a, b), lockBoth('second', b, a)]);
    expect(attempts.first + attempts.second).toBe(3);
    const { rows } = await pool.query<{ usd_value: string }>(
      'SELECT usd_value FROM balances WHERE id = ANY($1) ORDER BY id',
      [[a, b]],
    );
    expect(rows.map((row) => row.usd_value)).toEqual(['2', '2']);
  });

  it('gives up after three serialization failures, and never retries other errors', async () => {
    let serializationAttempts = 0;
    const serialization = inTransaction(pool, async () => {
      serializationAttempts++;
      throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    });
    await expect(serialization).rejects.toMatchObject({ code: '40001' });
    expect(serializationAttempts).toBe(3);

    let otherAttempts = 0;
    const other = inTransaction(pool, async (client) => {
      otherAttempts++;
      await client.query('SELECT 1 / 0');
    });
    await expect(other).rejects.toMatchObject({ code: '22012' });
    expect(otherAttempts).toBe(1);
  });
});
