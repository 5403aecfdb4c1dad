/**
 * Deletes keep the books: a balance that holds an amount cannot be deleted; an empty one is
 * closed, answers 404, frees its (user, token) pair, and keeps its journal readable by admins.
 * Idempotency keys belong to their caller: the same key from two subjects is two keys.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import { createPool } from '../src/db/pool.js';
import type { Balance, BalanceEntry } from '../src/service/balance.js';
import {
  adminToken,
  buildApi,
  problemOf,
  TEST_SECRET,
  type TestApi,
  userToken,
} from './support/api.js';
import { uniqueUserId } from './support/ids.js';

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

async function createBalance(userId: string, amount: string): Promise<Balance> {
  const response = await api.call('POST', '/v1/balances', {
    token: admin,
    body: { userId, tokenId: '1', amount, usdValue: '3' },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Balance;
}

async function journal(balanceId: string, token = admin) {
  return api.call('GET', `/v1/balances/${balanceId}/entries?limit=100`, { token });
}

describe('DELETE /v1/balances/{id}', () => {
  it('refuses a balance that is not empty with 409 balance-not-empty, and changes nothing', async () => {
    const balance = await createBalance(uniqueUserId(), '0.000000000000000001');
    const response = await api.call('DELETE', `/v1/balances/${balance.id}`, { token: admin });
    expect(response.status).toBe(409);
    expect(await problemOf(response)).toMatchObject({
      type: 'urn:balance-service:problem:balance-not-empty',
      title: 'Balance not empty',
      status: 409,
    });
    const after = await api.call('GET', `/v1/balances/${balance.id}`, { token: admin });
    expect(await after.json()).toEqual(balance);
  });

  it('closes an empty balance: 404 to reads and writes, its journal stays for admins, its pair is free', async () => {
    const userId = uniqueUserId();
    const balance = await createBalance(userId, '5');
    await api.call('POST', `/v1/balances/${balance.id}/debit`, {
      token: admin,
      body: { amount: '5' },
    });
    const before = (await (await journal(balance.id)).json()) as { items: BalanceEntry[] };
    expect(before.items.map((e) => [e.kind, e.amount])).toEqual([
      ['debit', '5'],
      ['adjustment', '5'],
    ]);
    // Read once, so the cache holds it.
    expect((await api.call('GET', `/v1/users/${userId}/total`, { token: admin })).status).toBe(200);

    expect((await api.call('DELETE', `/v1/balances/${balance.id}`, { token: admin })).status).toBe(
      204,
    );
    for (const [method, path, body] of [
      ['GET', `/v1/balances/${balance.id}`, undefined],
      ['DELETE', `/v1/balances/${balance.id}`, undefined],
      ['POST', `/v1/balances/${balance.id}/credit`, { amount: '1' }],
      ['PATCH', `/v1/balances/${balance.id}`, { usdValue: '1' }],
      ['GET', `/v1/users/${userId}/tokens/1`, undefined],
    ] as const) {
      expect((await api.call(method, path, { token: admin, body })).status, path).toBe(404);
    }
    const users = await api.call('GET', `/v1/users/${userId}/balances`, { token: admin });
    expect(((await users.json()) as { items: unknown[] }).items).toEqual([]);
    const total = await api.call('GET', `/v1/users/${userId}/total`, { token: admin });
    expect(await total.json()).toMatchObject({ totalUsd: '0' });

    // The whole journal, for an admin; the owner gets 404 as for the balance itself.
    const after = await journal(balance.id);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual(before);
    expect((await journal(balance.id, await userToken(userId))).status).toBe(404);

    // The (user, token) pair is free again.
    const successor = await createBalance(userId, '1');
    expect(successor.id).not.toBe(balance.id);
  });
});

describe('idempotency keys are scoped to the token’s subject', () => {
  it('the same key from two subjects is two independent writes; from one subject, a replay', async () => {
    const balance = await createBalance(uniqueUserId(), '0');
    const key = `shared-${uniqueUserId()}`;
    const tokens = [
      await signToken({ userId: 'ops-a', role: 'admin' }, TEST_SECRET),
      await signToken({ userId: 'ops-b', role: 'admin' }, TEST_SECRET),
    ];
    const credit = (token: string, amount: string) =>
      api.call('POST', `/v1/balances/${balance.id}/credit`, {
        token,
        body: { amount },
        headers: { 'Idempotency-Key': key },
      });
    const [a, b] = [await credit(tokens[0] ?? '', '2'), await credit(tokens[1] ?? '', '3')];
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers.get('idempotent-replayed')).toBeNull();
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(((await b.json()) as { balance: Balance }).balance.amount).toBe('5');

    const replay = await credit(tokens[0] ?? '', '2');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const reused = await credit(tokens[1] ?? '', '4');
    expect(reused.status).toBe(422);
    const after = await api.call('GET', `/v1/balances/${balance.id}`, { token: admin });
    expect(((await after.json()) as Balance).amount).toBe('5');
  });
});
