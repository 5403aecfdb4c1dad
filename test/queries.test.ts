/**
 * Every generated query function against real rows in the run's migrated database. Each test
 * uses user ids of its own, so tests never see each other's rows.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../src/db/pool.js';
import { balanceEntryListByBalance } from '../src/queries/balance_entries/list_by_balance.queries.js';
import { balanceCreate } from '../src/queries/balances/create.queries.js';
import { balanceCredit } from '../src/queries/balances/credit.queries.js';
import { balanceDebit } from '../src/queries/balances/debit.queries.js';
import { balanceDelete } from '../src/queries/balances/delete.queries.js';
import { balanceFindByAddress } from '../src/queries/balances/find_by_address.queries.js';
import { balanceFindById } from '../src/queries/balances/find_by_id.queries.js';
import { balanceFindByUserId } from '../src/queries/balances/find_by_user_id.queries.js';
import { balanceFindByUserIdAndTokenId } from '../src/queries/balances/find_by_user_id_and_token_id.queries.js';
import { balanceListAllAfterId } from '../src/queries/balances/list_all_after_id.queries.js';
import { balanceListAllPage } from '../src/queries/balances/list_all_page.queries.js';
import { balanceListByUserAfterCursor } from '../src/queries/balances/list_by_user_after_cursor.queries.js';
import { balanceListByUserAfterToken } from '../src/queries/balances/list_by_user_after_token.queries.js';
import {
  balanceListByUserPage,
  type IBalanceListByUserPageResult,
} from '../src/queries/balances/list_by_user_page.queries.js';
import { balanceTotalUsdByUser } from '../src/queries/balances/total_usd_by_user.queries.js';
import { balanceUpdate } from '../src/queries/balances/update.queries.js';
import { idempotencyKeyClaim } from '../src/queries/idempotency_keys/claim.queries.js';
import { idempotencyKeyDeleteExpired } from '../src/queries/idempotency_keys/delete_expired.queries.js';
import { idempotencyKeyFindByKey } from '../src/queries/idempotency_keys/find_by_key.queries.js';
import { idempotencyKeySaveResponse } from '../src/queries/idempotency_keys/save_response.queries.js';
import { uniqueUserId } from './support/ids.js';

const TINY = '0.000000000000000001';
const THIRTY_DIGITS = '123456789012345678901234567890';

let pool: pg.Pool;

beforeAll(() => {
  pool = createPool(inject('databaseUrl'), { max: 50 });
});

afterAll(async () => {
  await pool?.end();
});

async function createBalance(userId: string, tokenId: string, amount = '0', usdValue = '0') {
  const [row] = await balanceCreate.run({ userId, tokenId, amount, usdValue }, pool);
  if (!row) throw new Error('create returned no row');
  return row;
}

async function pgErrorOf(
  promise: Promise<unknown>,
): Promise<{ code?: string; constraint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; constraint?: string };
  }
  throw new Error('expected the statement to fail');
}

describe('balanceCreate and balanceFindById', () => {
  it('store a balance and read it back with ids and money as strings', async () => {
    const userId = uniqueUserId();
    const created = await createBalance(userId, '7', '12.5', '30.25');
    expect(created).toMatchObject({
      user_id: userId,
      token_id: '7',
      amount: '12.5',
      usd_value: '30.25',
      address: null,
      version: '1',
    });
    expect(created.created_at).toBeInstanceOf(Date);
    expect(await balanceFindById.run({ id: created.id }, pool)).toEqual([created]);
  });

  it('keep numeric precision to the last digit', async () => {
    const userId = uniqueUserId();
    const tiny = await createBalance(userId, '1', TINY);
    const huge = await createBalance(userId, '2', THIRTY_DIGITS);
    const [tinyBack] = await balanceFindById.run({ id: tiny.id }, pool);
    const [hugeBack] = await balanceFindById.run({ id: huge.id }, pool);
    expect(tinyBack?.amount).toBe(TINY);
    expect(hugeBack?.amount).toBe(THIRTY_DIGITS);

    const [sum] = await balanceCredit.run({ id: huge.id, amount: TINY }, pool);
    expect(sum?.amount).toBe(`${THIRTY_DIGITS}.000000000000000001`);
  });

  it('refuse a second balance for the same user and token', async () => {
    const userId = uniqueUserId();
    await createBalance(userId, '1');
    const error = await pgErrorOf(createBalance(userId, '1'));
    expect(error).toMatchObject({ code: '23505', constraint: 'idx_balances_user_token' });
  });

  it('refuse a negative amount and more than 18 decimals', async () => {
    const userId = uniqueUserId();
    expect(await pgErrorOf(createBalance(userId, '1', '-1'))).toMatchObject({
      code: '23514',
      constraint: 'balances_amount_not_negative',
    });
    expect(await pgErrorOf(createBalance(userId, '2', '0.0000000000000000001'))).toMatchObject({
      code: '23514',
      constraint: 'balances_amount_scale',
    });
  });

  it('find nothing for an unknown id', async () => {
    expect(await balanceFindById.run({ id: '9223372036854775807' }, pool)).toEqual([]);
  });
});

describe('per-user reads', () => {
  it('balanceFindByUserId lists the user’s balances in token order', async () => {
    const userId = uniqueUserId();
    await createBalance(userId, '3');
    await createBalance(userId, '1');
    await createBalance(userId, '2');
    await createBalance(uniqueUserId(), '1');
    const rows = await balanceFindByUserId.run({ userId, limit: 10 }, pool);
    expect(rows.map((row) => row.token_id)).toEqual(['1', '2', '3']);
    const bounded = await balanceFindByUserId.run({ userId, limit: 2 }, pool);
    expect(bounded.map((row) => row.token_id)).toEqual(['1', '2']);
  });

  it('balanceListByUserAfterToken continues in token order after the given token', async () => {
    const userId = uniqueUserId();
    for (const token of ['4', '1', '3', '2']) await createBalance(userId, token);
    await createBalance(uniqueUserId(), '3');
    const page = await balanceListByUserAfterToken.run(
      { userId, afterTokenId: '1', limit: 2 },
      pool,
    );
    expect(page.map((row) => row.token_id)).toEqual(['2', '3']);
    const last = await balanceListByUserAfterToken.run(
      { userId, afterTokenId: '3', limit: 2 },
      pool,
    );
    expect(last.map((row) => row.token_id)).toEqual(['4']);
  });

  it('balanceFindByUserIdAndTokenId finds the one balance or nothing', async () => {
    const userId = uniqueUserId();
    const created = await createBalance(userId, '5', '1');
    expect(await balanceFindByUserIdAndTokenId.run({ userId, tokenId: '5' }, pool)).toEqual([
      created,
    ]);
    expect(await balanceFindByUserIdAndTokenId.run({ userId, tokenId: '6' }, pool)).toEqual([]);
  });

  it('balanceTotalUsdByUser sums exactly, and is 0 for a user with no balances', async () => {
    const userId = uniqueUserId();
    await createBalance(userId, '1', '0', '0.1');
    await createBalance(userId, '2', '0', '0.2');
    await createBalance(userId, '3', '0', '99999999999999999999.000000000000000001');
    const [total] = await balanceTotalUsdByUser.run({ userId }, pool);
    expect(total?.total_usd).toBe('99999999999999999999.300000000000000001');
    const [none] = await balanceTotalUsdByUser.run({ userId: uniqueUserId() }, pool);
    expect(none?.total_usd).toBe('0');
  });

  it('pages newest first by offset and by cursor, with the same rows in the same order', async () => {
    const userId = uniqueUserId();
    for (let token = 1; token <= 7; token++) await createBalance(userId, String(token));
    const byOffset: IBalanceListByUserPageResult[] = [];
    for (let offset = 0; ; offset += 3) {
      const page = await balanceListByUserPage.run({ userId, limit: 3, offset }, pool);
      byOffset.push(...page);
      if (page.length < 3) break;
    }
    const [first, ...rest] = byOffset;
    expect(byOffset).toHaveLength(7);
    expect(first?.token_id).toBe('7');

    const byCursor = byOffset.slice(0, 3);
    for (;;) {
      const last = byCursor.at(-1);
      if (!last) break;
      const page = await balanceListByUserAfterCursor.run(
        { userId, createdAt: last.created_at, id: last.id, limit: 3 },
        pool,
      );
      byCursor.push(...page);
      if (page.length < 3) break;
    }
    expect(byCursor).toEqual(byOffset);
    expect(rest.every((row, i) => (byOffset[i]?.created_at ?? 0) >= row.created_at)).toBe(true);
  });

  it('balanceFindByAddress finds every token held at an address', async () => {
    const userId = uniqueUserId();
    const address = `0x${userId.padStart(40, '0')}`;
    const a = await balanceCreate.run(
      { userId, tokenId: '1', amount: '1', usdValue: '0', address },
      pool,
    );
    const b = await balanceCreate.run(
      { userId, tokenId: '2', amount: '2', usdValue: '0', address },
      pool,
    );
    await createBalance(userId, '3');
    const rows = await balanceFindByAddress.run({ address, limit: 10 }, pool);
    expect(rows).toEqual([...a, ...b]);
  });
});

describe('balanceListAllAfterId', () => {
  it('pages every row in id order after a cursor, as offset pages do', async () => {
    const userId = uniqueUserId();
    for (let token = 1; token <= 3; token++) await createBalance(userId, String(token));
    const byOffset = await balanceListAllPage.run({ limit: 4, offset: 0 }, pool);
    const first = await balanceListAllAfterId.run({ afterId: '0', limit: 2 }, pool);
    const second = await balanceListAllAfterId.run(
      { afterId: first.at(-1)?.id ?? '0', limit: 2 },
      pool,
    );
    expect([...first, ...second]).toEqual(byOffset);
  });
});

describe('balanceListAllPage', () => {
  it('pages every row in id order', async () => {
    const userId = uniqueUserId();
    const created = [];
    for (let token = 1; token <= 3; token++)
      created.push(await createBalance(userId, String(token)));
    const page = await balanceListAllPage.run({ limit: 2, offset: 0 }, pool);
    expect(page).toHaveLength(2);
    expect(BigInt(page[0]?.id ?? 0)).toBeLessThan(BigInt(page[1]?.id ?? 0));
    const all = await balanceListAllPage.run({ limit: 1_000_000, offset: 0 }, pool);
    expect(all.map((row) => row.id)).toEqual(expect.arrayContaining(created.map((row) => row.id)));
  });
});

describe('balanceCredit and balanceDebit', () => {
  it('credit adds, bumps the version and journals the entry with the balance after', async () => {
    const balance = await createBalance(uniqueUserId(), '1', '1.5');
    const [credited] = await balanceCredit.run({ id: balance.id, amount: '2.25' }, pool);
    expect(credited).toMatchObject({ amount: '3.75', version: '2' });
    const entries = await balanceEntryListByBalance.run({ balanceId: balance.id, limit: 10 }, pool);
    expect(entries).toEqual([
      expect.objectContaining({
        id: credited?.entry_id,
        kind: 'credit',
        amount: '2.25',
        balance_after: '3.75',
      }),
      expect.objectContaining({ kind: 'adjustment', amount: '1.5', balance_after: '1.5' }),
    ]);
  });

  it('debit subtracts when there is enough, and changes nothing when there is not', async () => {
    const balance = await createBalance(uniqueUserId(), '1', '5');
    const [debited] = await balanceDebit.run({ id: balance.id, amount: '5' }, pool);
    expect(debited).toMatchObject({ amount: '0', version: '2' });
    expect(await balanceDebit.run({ id: balance.id, amount: TINY }, pool)).toEqual([]);
    const [after] = await balanceFindById.run({ id: balance.id }, pool);
    expect(after).toMatchObject({ amount: '0', version: '2' });
    const entries = await balanceEntryListByBalance.run({ balanceId: balance.id, limit: 10 }, pool);
    expect(entries.map((entry) => [entry.kind, entry.amount])).toEqual([
      ['debit', '5'],
      ['adjustment', '5'], // the opening amount
    ]);
  });

  it('50 concurrent debits never go below zero and leave the exact remainder', async () => {
    const balance = await createBalance(uniqueUserId(), '1', '25.5');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => balanceDebit.run({ id: balance.id, amount: '1' }, pool)),
    );
    const succeeded = results.filter((rows) => rows.length === 1);
    expect(succeeded).toHaveLength(25);
    const [after] = await balanceFindById.run({ id: balance.id }, pool);
    expect(after).toMatchObject({ amount: '0.5', version: '26' });
    const balancesAfter = succeeded
      .map((rows) => rows[0]?.amount)
      .sort((a = '', b = '') => a.localeCompare(b, 'en', { numeric: true }));
    expect(balancesAfter).toEqual(Array.from({ length: 25 }, (_, i) => `${i}.5`));
    const entries = await balanceEntryListByBalance.run(
      { balanceId: balance.id, limit: 100 },
      pool,
    );
    expect(entries.filter((entry) => entry.kind === 'debit')).toHaveLength(25);
  });

  it('find no balance to credit or debit for an unknown id', async () => {
    expect(await balanceCredit.run({ id: '9223372036854775807', amount: '1' }, pool)).toEqual([]);
    expect(await balanceDebit.run({ id: '9223372036854775807', amount: '1' }, pool)).toEqual([]);
  });
});

describe('balanceUpdate', () => {
  const keepOptional = { setAddress: false, setAutoConvertThreshold: false };

  it('changes only the given columns, bumps the version and journals an amount change', async () => {
    const balance = await createBalance(uniqueUserId(), '1', '10', '20');
    const [updated] = await balanceUpdate.run(
      { id: balance.id, amount: '7.5', ...keepOptional },
      pool,
    );
    expect(updated).toMatchObject({ amount: '7.5', usd_value: '20', version: '2' });
    expect(updated?.updated_at.getTime()).toBeGreaterThanOrEqual(balance.updated_at.getTime());
    const [entry] = await balanceEntryListByBalance.run({ balanceId: balance.id, limit: 10 }, pool);
    expect(entry).toMatchObject({ kind: 'adjustment', amount: '-2.5', balance_after: '7.5' });

    await balanceUpdate.run({ id: balance.id, usdValue: '1', ...keepOptional }, pool);
    const entries = await balanceEntryListByBalance.run({ balanceId: balance.id, limit: 10 }, pool);
    expect(entries.map((entry) => entry.amount)).toEqual(['-2.5', '10']); // none for usdValue
  });

  it('sets and clears the nullable columns only when asked', async () => {
    const balance = await createBalance(uniqueUserId(), '1');
    const [set] = await balanceUpdate.run(
      {
        id: balance.id,
        setAddress: true,
        address: '0xabc',
        setAutoConvertThreshold: true,
        autoConvertThreshold: '0.5',
      },
      pool,
    );
    expect(set).toMatchObject({ address: '0xabc', auto_convert_threshold: '0.5' });
    const [kept] = await balanceUpdate.run({ id: balance.id, ...keepOptional }, pool);
    expect(kept).toMatchObject({ address: '0xabc', auto_convert_threshold: '0.5' });
    const [cleared] = await balanceUpdate.run(
      { id: balance.id, setAddress: true, address: null, setAutoConvertThreshold: true },
      pool,
    );
    expect(cleared).toMatchObject({ address: null, auto_convert_threshold: null });
  });

  it('with a stale expected version, changes nothing and returns no row', async () => {
    const balance = await createBalance(uniqueUserId(), '1', '1');
    expect(
      await balanceUpdate.run(
        { id: balance.id, amount: '2', expectedVersion: '7', ...keepOptional },
        pool,
      ),
    ).toEqual([]);
    const [current] = await balanceUpdate.run(
      { id: balance.id, amount: '2', expectedVersion: '1', ...keepOptional },
      pool,
    );
    expect(current).toMatchObject({ amount: '2', version: '2' });
  });
});

describe('balanceDelete', () => {
  it('closes only an empty balance, keeps its journal, and returns whose it was', async () => {
    const userId = uniqueUserId();
    const balance = await createBalance(userId, '9', '1');
    await balanceCredit.run({ id: balance.id, amount: '1' }, pool);
    expect(await balanceDelete.run({ id: balance.id }, pool)).toEqual([]);
    await balanceDebit.run({ id: balance.id, amount: '2' }, pool);
    expect(await balanceDelete.run({ id: balance.id }, pool)).toEqual([
      { id: balance.id, user_id: userId, token_id: '9' },
    ]);
    expect(await balanceFindById.run({ id: balance.id }, pool)).toEqual([]);
    const journal = await balanceEntryListByBalance.run({ balanceId: balance.id, limit: 10 }, pool);
    expect(journal.map((entry) => [entry.kind, entry.amount])).toEqual([
      ['debit', '2'],
      ['credit', '1'],
      ['adjustment', '1'],
    ]);
    expect(await balanceDelete.run({ id: balance.id }, pool)).toEqual([]);
    // A closed balance frees its (user, token) pair, and takes no more writes.
    await createBalance(userId, '9', '0');
    expect(await balanceCredit.run({ id: balance.id, amount: '1' }, pool)).toEqual([]);
  });
});

describe('balanceEntryListByBalance', () => {
  it('pages the journal newest first by keyset', async () => {
    const balance = await createBalance(uniqueUserId(), '1');
    for (let i = 1; i <= 5; i++)
      await balanceCredit.run({ id: balance.id, amount: String(i) }, pool);
    const first = await balanceEntryListByBalance.run({ balanceId: balance.id, limit: 2 }, pool);
    const second = await balanceEntryListByBalance.run(
      { balanceId: balance.id, limit: 2, beforeId: first.at(-1)?.id },
      pool,
    );
    const third = await balanceEntryListByBalance.run(
      { balanceId: balance.id, limit: 2, beforeId: second.at(-1)?.id },
      pool,
    );
    expect([...first, ...second, ...third].map((entry) => entry.amount)).toEqual([
      '5',
      '4',
      '3',
      '2',
      '1',
    ]);
    expect(third.at(-1)?.balance_after).toBe('1');
  });
});

describe('idempotency keys', () => {
  it('claim once, find the claim, save the response', async () => {
    const key = `key-${uniqueUserId()}`;
    expect(
      await idempotencyKeyClaim.run({ subject: 's', key, requestFingerprint: 'credit:1:5' }, pool),
    ).toEqual([{ key }]);
    expect(
      await idempotencyKeyClaim.run({ subject: 's', key, requestFingerprint: 'credit:1:6' }, pool),
    ).toEqual([]);
    await idempotencyKeySaveResponse.run({ subject: 's', key, response: { amount: '5' } }, pool);
    const [found] = await idempotencyKeyFindByKey.run({ subject: 's', key }, pool);
    expect(found).toMatchObject({
      key,
      request_fingerprint: 'credit:1:5',
      response: { amount: '5' },
    });
  });

  it('delete only keys created before the cut-off, at most a batch at a time', async () => {
    const keys = [1, 2, 3].map((i) => `expired-${uniqueUserId()}-${i}`);
    for (const key of keys)
      await idempotencyKeyClaim.run({ subject: 's', key, requestFingerprint: 'x' }, pool);
    await pool.query(`UPDATE idempotency_keys SET created_at = '2000-01-01' WHERE key = ANY($1)`, [
      keys,
    ]);
    const fresh = `fresh-${uniqueUserId()}`;
    await idempotencyKeyClaim.run({ subject: 's', key: fresh, requestFingerprint: 'x' }, pool);
    const cutOff = new Date('2000-01-02');
    // Other tests may purge expired keys concurrently, so count only this test's keys.
    const first = await idempotencyKeyDeleteExpired.runWithCounts(
      { createdBefore: cutOff, batchSize: 2 },
      pool,
    );
    expect(first.rowCount).toBeLessThanOrEqual(2);
    await idempotencyKeyDeleteExpired.run({ createdBefore: cutOff, batchSize: 2 }, pool);
    for (const key of keys)
      expect(await idempotencyKeyFindByKey.run({ subject: 's', key }, pool)).toEqual([]);
    expect(await idempotencyKeyFindByKey.run({ subject: 's', key: fresh }, pool)).toHaveLength(1);
  });
});
