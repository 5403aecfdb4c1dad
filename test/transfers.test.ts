/**
 * Transfers: atomic, never overdrawing, never deadlocking, exactly once per key, journaled on
 * both sides with the transfer's id; through the service and through the API.
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../src/db/migrations.js';
import { createPool } from '../src/db/pool.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/db/scratch-database.js';
import { InsufficientFundsError } from '../src/errors.js';
import type { Balance, TransferResult } from '../src/service/balance.js';
import { adminToken, buildApi, problemOf, type TestApi, userToken } from './support/api.js';
import { uniqueUserId } from './support/ids.js';
import { buildStack } from './support/service.js';

/** The deadlocks PostgreSQL has counted in `database` (its backends flush them as they exit). */
async function deadlocksIn(serverUrl: string, database: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ deadlocks: string }>(
      'SELECT deadlocks FROM pg_stat_database WHERE datname = $1',
      [database],
    );
    return rows[0]?.deadlocks ?? 'none';
  } finally {
    await client.end();
  }
}

describe('200 concurrent transfers among 5 balances', () => {
  let database: ScratchDatabase;

  // A database of its own, so its deadlock counter sees these transfers and nothing else.
  beforeAll(async () => {
    database = await createScratchDatabase(inject('serverUrl'), 'transfers');
    await migrate(database.url, 'up');
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('in a ring and at random: none deadlocks, none overdraws, the total is conserved exactly', async () => {
    const pool = createPool(database.url, { max: 8 });
    const stack = buildStack({ pool, kind: 'memory' });
    const { service } = stack;
    const balances: Balance[] = [];
    for (let i = 0; i < 5; i++) {
      balances.push(await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '10' }));
    }
    const ids = balances.map((balance) => balance.id);
    const amounts = ['0.5', '1', '2.25', '7', '13', '0.000000000000000001'];
    const pairs: [string, string][] = [];
    // A ring, both ways round (so some pairs lock "against" each other's direction), then random.
    for (let i = 0; i < 100; i++) {
      const from = i % 5;
      const to = i % 2 === 0 ? (from + 1) % 5 : (from + 4) % 5;
      pairs.push([ids[from] ?? '', ids[to] ?? '']);
    }
    while (pairs.length < 200) {
      const from = randomInt(5);
      const to = (from + randomInt(1, 5)) % 5;
      pairs.push([ids[from] ?? '', ids[to] ?? '']);
    }
    const outcomes = await Promise.allSettled(
      pairs.map(([from, to]) =>
        service.transfer(from, to, amounts[randomInt(amounts.length)] ?? '1'),
      ),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    // The only refusal is an overdraft: no deadlock, no lock timeout, no unavailable database.
    for (const outcome of refused) expect(outcome.reason).toBeInstanceOf(InsufficientFundsError);
    const done = outcomes.filter((o) => o.status === 'fulfilled');
    expect(done.length).toBeGreaterThan(0);
    expect(done.length + refused.length).toBe(200);

    const { rows } = await pool.query<{ total: string; lowest: string; transfers: string }>(
      `SELECT trim_scale(sum(amount)) AS total, min(amount) AS lowest,
              (SELECT count(*) FROM transfers) AS transfers
       FROM balances WHERE id = ANY($1)`,
      [ids],
    );
    expect(rows[0]).toEqual({
      total: '50',
      lowest: expect.any(String),
      transfers: String(done.length),
    });
    expect(rows[0]?.lowest.startsWith('-')).toBe(false);
    // Each transfer is one debit and one credit of its amount, on its two balances.
    const { rows: sides } = await pool.query<{ wrong: string }>(`
      SELECT count(*) AS wrong FROM transfers AS t
      WHERE (SELECT count(*) FROM balance_entries AS e
             WHERE e.transfer_id = t.id AND e.kind = 'debit'
               AND e.balance_id = t.from_balance_id AND e.amount = t.amount) <> 1
         OR (SELECT count(*) FROM balance_entries AS e
             WHERE e.transfer_id = t.id AND e.kind = 'credit'
               AND e.balance_id = t.to_balance_id AND e.amount = t.amount) <> 1
         OR (SELECT count(*) FROM balance_entries AS e WHERE e.transfer_id = t.id) <> 2`);
    expect(sides[0]?.wrong).toBe('0');
    const { rows: unbalanced } = await pool.query(`
      SELECT b.id FROM balances AS b JOIN balance_entries AS e ON e.balance_id = b.id
      GROUP BY b.id, b.amount
      HAVING b.amount <> sum(CASE e.kind WHEN 'debit' THEN -e.amount ELSE e.amount END)`);
    expect(unbalanced).toEqual([]);

    await stack.close();
    await pool.end(); // the backends exit, and flush their statistics
    expect(await deadlocksIn(inject('serverUrl'), database.name)).toBe('0');
  }, 60_000);
});

describe('/v1/transfers', () => {
  let pool: pg.Pool;
  let api: TestApi;
  let admin: string;

  beforeAll(async () => {
    pool = createPool(inject('databaseUrl'));
    api = buildApi(pool);
    admin = await adminToken();
  });

  afterAll(async () => {
    await api?.close();
    await pool?.end();
  });

  async function createBalance(amount: string, tokenId = '1'): Promise<Balance> {
    const response = await api.call('POST', '/v1/balances', {
      token: admin,
      body: { userId: uniqueUserId(), tokenId, amount },
    });
    expect(response.status).toBe(201);
    return (await response.json()) as Balance;
  }

  const amountOf = async (balance: Balance) =>
    (
      (await (
        await api.call('GET', `/v1/balances/${balance.id}`, { token: admin })
      ).json()) as Balance
    ).amount;

  const transfer = (body: unknown, headers: Record<string, string> = {}, token = admin) =>
    api.call('POST', '/v1/transfers', { token, body, headers });

  it('moves the amount, journals both sides with its id, and refreshes both users’ cached reads', async () => {
    const from = await createBalance('10');
    const to = await createBalance('1');
    // Cached before the transfer: the by-id and per-user keys of both sides.
    for (const balance of [from, to]) {
      expect(await amountOf(balance)).toBe(balance.amount);
      await api.call('GET', `/v1/users/${balance.userId}/balances`, { token: admin });
    }
    const response = await transfer({ fromBalanceId: from.id, toBalanceId: to.id, amount: '2.50' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as TransferResult;
    expect(body).toMatchObject({
      transfer: { fromBalanceId: from.id, toBalanceId: to.id, amount: '2.5' },
      from: { id: from.id, amount: '7.5' },
      to: { id: to.id, amount: '3.5' },
    });
    const { transfer: made } = body;
    expect(response.headers.get('location')).toBe(`/v1/transfers/${made.id}`);
    expect(made.debit).toMatchObject({
      balanceId: from.id,
      kind: 'debit',
      amount: '2.5',
      balanceAfter: '7.5',
      transferId: made.id,
    });
    expect(made.credit).toMatchObject({
      balanceId: to.id,
      kind: 'credit',
      amount: '2.5',
      balanceAfter: '3.5',
      transferId: made.id,
    });

    expect(await amountOf(from)).toBe('7.5');
    expect(await amountOf(to)).toBe('3.5');
    for (const [balance, amount] of [
      [from, '7.5'],
      [to, '3.5'],
    ] as const) {
      const list = await api.call('GET', `/v1/users/${balance.userId}/balances`, { token: admin });
      expect(((await list.json()) as { items: Balance[] }).items.map((b) => b.amount)).toEqual([
        amount,
      ]);
    }

    const read = await api.call('GET', `/v1/transfers/${made.id}`, { token: admin });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(made);
    const journal = await api.call('GET', `/v1/balances/${to.id}/entries`, { token: admin });
    expect(((await journal.json()) as { items: unknown[] }).items[0]).toEqual(made.credit);
  });

  it('answers 422 to a balance of another token, 409 to an overdraft, 404 to a missing or closed balance, 400 to itself; nothing changes', async () => {
    const from = await createBalance('5', '1');
    const otherToken = await createBalance('5', '2');
    const closed = await createBalance('0', '1');
    expect((await api.call('DELETE', `/v1/balances/${closed.id}`, { token: admin })).status).toBe(
      204,
    );

    const mismatch = await transfer({
      fromBalanceId: from.id,
      toBalanceId: otherToken.id,
      amount: '1',
    });
    expect(mismatch.status).toBe(422);
    expect(await problemOf(mismatch)).toMatchObject({
      type: 'urn:balance-service:problem:token-mismatch',
      title: 'Token mismatch',
    });
    const same = await createBalance('0', '1');
    const overdraft = await transfer({
      fromBalanceId: from.id,
      toBalanceId: same.id,
      amount: '5.000000000000000001',
    });
    expect(overdraft.status).toBe(409);
    expect((await problemOf(overdraft)).type).toBe(
      'urn:balance-service:problem:insufficient-funds',
    );
    for (const target of [closed.id, '9223372036854775807']) {
      const missing = await transfer({ fromBalanceId: from.id, toBalanceId: target, amount: '1' });
      expect(missing.status, target).toBe(404);
    }
    const itself = await transfer({ fromBalanceId: from.id, toBalanceId: from.id, amount: '1' });
    expect(itself.status).toBe(400);
    expect((await problemOf(itself)).errors?.[0]?.field).toBe('json.toBalanceId');

    expect(await amountOf(from)).toBe('5');
    expect(await amountOf(otherToken)).toBe('5');
    expect(await amountOf(same)).toBe('0');
    const { rows } = await pool.query('SELECT id FROM transfers WHERE from_balance_id = $1', [
      from.id,
    ]);
    expect(rows).toEqual([]);
  });

  it('replays a transfer repeated with its Idempotency-Key: the money moves once', async () => {
    const from = await createBalance('10');
    const to = await createBalance('0');
    const headers = { 'Idempotency-Key': `transfer-${uniqueUserId()}` };
    const body = { fromBalanceId: from.id, toBalanceId: to.id, amount: '4' };
    const first = await transfer(body, headers);
    const again = await transfer(body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect(await amountOf(from)).toBe('6');
    expect(await amountOf(to)).toBe('4');
    const other = await transfer({ ...body, amount: '5' }, headers);
    expect(other.status).toBe(422);
    expect((await problemOf(other)).type).toBe(
      'urn:balance-service:problem:idempotency-key-reused',
    );
    expect(await amountOf(from)).toBe('6');
  });

  it('is for admins: a user gets 403 and cannot read a transfer either', async () => {
    const from = await createBalance('3');
    const to = await createBalance('0');
    const token = await userToken(from.userId);
    const refused = await transfer(
      { fromBalanceId: from.id, toBalanceId: to.id, amount: '1' },
      {},
      token,
    );
    expect(refused.status).toBe(403);
    expect(await amountOf(from)).toBe('3');
    const made = await transfer({ fromBalanceId: from.id, toBalanceId: to.id, amount: '1' });
    const { transfer: t } = (await made.json()) as { transfer: { id: string } };
    expect((await api.call('GET', `/v1/transfers/${t.id}`, { token })).status).toBe(403);
    expect(
      (await api.call('GET', '/v1/transfers/9223372036854775807', { token: admin })).status,
    ).toBe(404);
  });
});
