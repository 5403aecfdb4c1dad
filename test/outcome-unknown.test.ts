/**
 * A write whose answer is lost after PostgreSQL committed it (the connection cut between the
 * COMMIT and its answer, by a proxy that lets the request through and drops the answer) is
 * said to be of unknown outcome: 502 outcome-unknown, no Retry-After, and a cache that shows
 * the committed write. With an idempotency key, the retry replays it and nothing moves twice.
 * A cut before the COMMIT was sent rolls the write back, and stays a 503 with Retry-After.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, usesTransactionPooling } from '../src/db/pool.js';
import type { Balance } from '../src/service/balance.js';
import { adminToken, buildApi, problemOf, type TestApi } from './support/api.js';
import { uniqueUserId } from './support/ids.js';
import { TcpProxy } from './support/tcp-proxy.js';

const OUTCOME_UNKNOWN = 'urn:balance-service:problem:outcome-unknown';

describe('a write whose answer is lost after COMMIT', () => {
  let proxy: TcpProxy;
  let pool: pg.Pool;
  let api: TestApi;
  let admin: string;
  let amountSequence = 0;

  beforeAll(async () => {
    const databaseUrl = inject('databaseUrl');
    proxy = await TcpProxy.start(databaseUrl);
    pool = createPool(proxy.urlFor(databaseUrl));
    api = buildApi(pool);
    admin = await adminToken();
  });

  afterAll(async () => {
    await api?.close();
    await pool?.end();
    await proxy?.stop();
  });

  /** An amount no other request in the run sends: the proxy recognises the request by it. */
  const uniqueAmount = () => `1.${String(++amountSequence).padStart(18, '0')}`;

  async function createBalance(amount: string): Promise<Balance> {
    const response = await api.call('POST', '/v1/balances', {
      token: admin,
      body: { userId: uniqueUserId(), tokenId: '1', amount },
    });
    expect(response.status).toBe(201);
    return (await response.json()) as Balance;
  }

  /** The balance by id and the user's list, as clients read them (through the cache). */
  async function reads(balance: Balance): Promise<[string, string[]]> {
    const one = await api.call('GET', `/v1/balances/${balance.id}`, { token: admin });
    const list = await api.call('GET', `/v1/users/${balance.userId}/balances`, { token: admin });
    return [
      ((await one.json()) as Balance).amount,
      ((await list.json()) as { items: Balance[] }).items.map((b) => b.amount),
    ];
  }

  async function journalAmounts(balanceId: string): Promise<string[]> {
    const { rows } = await pool.query<{ amount: string }>(
      'SELECT amount FROM balance_entries WHERE balance_id = $1 ORDER BY id',
      [balanceId],
    );
    return rows.map((row) => row.amount);
  }

  async function expectOutcomeUnknown(response: Response): Promise<void> {
    expect(response.status).toBe(502);
    expect(response.headers.get('retry-after')).toBeNull();
    const problem = await problemOf(response);
    expect(problem).toMatchObject({ type: OUTCOME_UNKNOWN, title: 'Outcome unknown' });
    expect(problem.detail).toMatch(/Idempotency-Key/);
  }

  it('a credit without a key: 502 outcome-unknown, no Retry-After, and fresh reads show it', async () => {
    const balance = await createBalance('10');
    expect(await reads(balance)).toEqual(['10', ['10']]); // cached now
    const amount = uniqueAmount();
    // Alone, the credit's statement is its commit. Behind a transaction-mode pooler it runs in
    // a transaction of its own (so the lock timeout reaches it): the answer to cut is COMMIT's.
    const cut = proxy.cutAnswer(amount, usesTransactionPooling(pool) ? 'COMMIT' : undefined);
    const response = await api.call('POST', `/v1/balances/${balance.id}/credit`, {
      token: admin,
      body: { amount },
    });
    await cut;
    await expectOutcomeUnknown(response);
    // It did commit; the cache, invalidated all the same, shows it.
    const after = `11.${amount.slice(2)}`;
    expect(await reads(balance)).toEqual([after, [after]]);
    expect(await journalAmounts(balance.id)).toEqual(['10', amount]);
  });

  it('a credit with a key: 502 outcome-unknown, and the retry with the key replays it, once', async () => {
    const balance = await createBalance('10');
    expect(await reads(balance)).toEqual(['10', ['10']]);
    const amount = uniqueAmount();
    const request = {
      token: admin,
      body: { amount },
      headers: { 'Idempotency-Key': `cut-${uniqueUserId()}` },
    };
    const cut = proxy.cutAnswer(amount, 'COMMIT');
    const response = await api.call('POST', `/v1/balances/${balance.id}/credit`, request);
    await cut;
    await expectOutcomeUnknown(response);
    const after = `11.${amount.slice(2)}`;
    expect(await reads(balance)).toEqual([after, [after]]);

    const retry = await api.call('POST', `/v1/balances/${balance.id}/credit`, request);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(((await retry.json()) as { balance: Balance }).balance.amount).toBe(after);
    expect(await journalAmounts(balance.id)).toEqual(['10', amount]);
  });

  it('a keyed credit cut before its COMMIT was sent is a plain 503 with Retry-After: nothing was written', async () => {
    const balance = await createBalance('10');
    const amount = uniqueAmount();
    // The key's claim carries the amount in its fingerprint: cut the answer to that statement.
    const cut = proxy.cutAnswer(amount);
    const response = await api.call('POST', `/v1/balances/${balance.id}/credit`, {
      token: admin,
      body: { amount },
      headers: { 'Idempotency-Key': `early-cut-${uniqueUserId()}` },
    });
    await cut;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await problemOf(response)).type).toBe(
      'urn:balance-service:problem:database-unavailable',
    );
    expect(await reads(balance)).toEqual(['10', ['10']]);
    expect(await journalAmounts(balance.id)).toEqual(['10']);
  });

  it('a transfer: 502 outcome-unknown, and both sides read fresh', async () => {
    const from = await createBalance('10');
    const to = await createBalance('0');
    expect(await reads(from)).toEqual(['10', ['10']]);
    expect(await reads(to)).toEqual(['0', ['0']]);
    const amount = uniqueAmount();
    const cut = proxy.cutAnswer(amount, 'COMMIT');
    const response = await api.call('POST', '/v1/transfers', {
      token: admin,
      body: { fromBalanceId: from.id, toBalanceId: to.id, amount },
    });
    await cut;
    await expectOutcomeUnknown(response);
    // 10 minus the amount, computed by PostgreSQL: money is never a JS number here.
    const { rows } = await pool.query<{ left: string }>(
      'SELECT trim_scale(10 - $1::numeric)::text AS left',
      [amount],
    );
    const left = rows[0]?.left;
    expect(await reads(from)).toEqual([left, [left]]);
    expect(await reads(to)).toEqual([amount, [amount]]);
  });
});
