/**
 * Hostile input on every route, from a table and from fast-check: every request answers a 4xx
 * problem+json, never a 500, never a hang, and the database and the cache are unchanged
 * afterwards (checked by snapshots, not assumed).
 */
import fc from 'fast-check';
import { sign } from 'hono/jwt';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../src/db/pool.js';
import { DECIMAL_PATTERN, ID_PATTERN } from '../src/service/validate.js';
import { adminToken, buildApi, TEST_SECRET, type TestApi, userToken } from './support/api.js';
import { uniqueUserId } from './support/ids.js';
import { redisSkipReason, sharedRedisUrl, withClient } from './support/redis.js';

const ANSWER_WITHIN_MS = 2_000;
const redisSkip = await redisSkipReason();

let pool: pg.Pool;
let api: TestApi;
let admin: string;
let owner: string;
let balanceId: string;
const userId = uniqueUserId();

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'));
  api = buildApi(pool, { redisUrl: redisSkip ? undefined : sharedRedisUrl });
  admin = await adminToken();
  owner = await userToken(userId);
  const created = await api.call('POST', '/v1/balances', {
    token: admin,
    body: { userId, tokenId: '1', amount: '100', address: `hostile-${userId}` },
  });
  balanceId = ((await created.json()) as { id: string }).id;
  await api.call('POST', `/v1/balances/${balanceId}/credit`, {
    token: admin,
    body: { amount: '1' },
  });
  for (const path of [
    `/v1/balances/${balanceId}`,
    `/v1/users/${userId}/balances`,
    `/v1/users/${userId}/total`,
  ]) {
    await api.call('GET', path, { token: admin }); // fill the cache, so it has something to lose
  }
});

afterAll(async () => {
  await api?.close();
  await pool?.end();
});

/** Everything this test's user has in PostgreSQL and in the cache, as one comparable value. */
async function snapshot(): Promise<unknown> {
  const { rows } = await pool.query(
    `SELECT (SELECT json_agg(b ORDER BY id) FROM balances AS b WHERE user_id = $1) AS balances,
            (SELECT json_agg(e ORDER BY id) FROM balance_entries AS e
               WHERE balance_id IN (SELECT id FROM balances WHERE user_id = $1)) AS entries,
            (SELECT count(*) FROM idempotency_keys WHERE key LIKE 'hostile%') AS keys`,
    [userId],
  );
  const cache = redisSkip
    ? undefined
    : await withClient(sharedRedisUrl, async (client) => {
        const keys: string[] = [];
        for await (const batch of client.scanIterator({ MATCH: `${api.stack.keyPrefix}*` }))
          keys.push(...batch);
        keys.sort();
        return Promise.all(keys.map(async (key) => [key, await client.get(key)]));
      });
  return { db: rows[0], cache };
}

/** Sends one request and checks the answer is a prompt 4xx problem. */
async function expectRefused(
  method: string,
  path: string,
  options: Parameters<TestApi['call']>[2] = {},
) {
  const started = performance.now();
  const response = await api.call(method, path, options);
  const label = `${method} ${path} ${JSON.stringify(options.body ?? '')}`.slice(0, 200);
  expect(performance.now() - started, label).toBeLessThan(ANSWER_WITHIN_MS);
  expect(response.status, label).toBeGreaterThanOrEqual(400);
  expect(response.status, label).toBeLessThan(500);
  expect(response.headers.get('content-type'), label).toBe('application/problem+json');
  const body = await response.text();
  expect(body, label).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
}

const HOSTILE_IDS = [
  '0',
  '-1',
  '1.5',
  '1e3',
  'abc',
  '9223372036854775808',
  '9'.repeat(100),
  "1' OR '1'='1",
  '1;DROP TABLE balances',
  '%00',
  '%F0%9F%92%B0',
  'x'.repeat(5000),
];
const HOSTILE_AMOUNTS: unknown[] = [
  '0',
  '-1',
  '-0.5',
  '0.0',
  1.5,
  1,
  '1e3',
  '1E-2',
  'NaN',
  'Infinity',
  '0.0000000000000000001',
  '1'.repeat(100),
  '',
  ' 1',
  '1 ',
  '0x10',
  '１',
  null,
  true,
  [],
  {},
  '1,5',
  "1'; DROP TABLE balances; --",
  '\u0000',
  '\u202e1',
];

describe('hostile input', () => {
  it('a table of hostile requests on every route: each a prompt 4xx problem, nothing changed', async () => {
    const before = await snapshot();
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      await sign({ sub: userId, role: 'admin', exp: now - 1 }, TEST_SECRET, 'HS256'), // expired
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: userId, role: 'admin', exp: now + 60 })).toString('base64url')}.`,
      await sign(
        { sub: userId, role: 'admin', exp: now + 60 },
        'not-the-secret-not-the-secret-0123456',
        'HS256',
      ),
      'not.a.token',
      'x'.repeat(10_000),
      // Validly signed, but its subject would become part of an indexed idempotency key.
      await sign({ sub: 'x'.repeat(10_000), role: 'admin', exp: now + 60 }, TEST_SECRET, 'HS256'),
    ];
    for (const token of tokens) {
      await expectRefused('GET', `/v1/balances/${balanceId}`, { token });
      await expectRefused('POST', `/v1/balances/${balanceId}/credit`, {
        token,
        body: { amount: '1' },
        headers: { 'Idempotency-Key': 'hostile-token' },
      });
    }
    const someoneElse = await userToken(uniqueUserId());
    await expectRefused('GET', `/v1/balances/${balanceId}`, { token: someoneElse });
    await expectRefused('GET', `/v1/balances/${balanceId}/entries`, { token: someoneElse });
    await expectRefused('POST', `/v1/balances/${balanceId}/debit`, {
      token: owner,
      body: { amount: '1' },
    });

    for (const id of HOSTILE_IDS) {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['PATCH', '', { amount: '1' }],
        ['DELETE', '', undefined],
        ['POST', '/credit', { amount: '1' }],
        ['POST', '/debit', { amount: '1' }],
        ['GET', '/entries', undefined],
      ] as const) {
        await expectRefused(method, `/v1/balances/${id}${suffix}`, { token: admin, body });
      }
      await expectRefused('GET', `/v1/users/${id}/balances`, { token: admin });
      await expectRefused('GET', `/v1/users/${userId}/tokens/${id}`, { token: admin });
      await expectRefused('GET', `/v1/users/${id}/total`, { token: admin });
      await expectRefused('GET', `/v1/transfers/${id}`, { token: admin });
      for (const [fromBalanceId, toBalanceId] of [
        [id, balanceId],
        [balanceId, id],
      ]) {
        await expectRefused('POST', '/v1/transfers', {
          token: admin,
          body: { fromBalanceId, toBalanceId, amount: '1' },
        });
      }
    }
    await expectRefused('POST', '/v1/transfers', {
      token: owner,
      body: { fromBalanceId: balanceId, toBalanceId: '9223372036854775807', amount: '1' },
    });
    await expectRefused('POST', '/v1/transfers', {
      token: admin,
      body: { fromBalanceId: balanceId, toBalanceId: balanceId, amount: '1' },
    });
    for (const amount of HOSTILE_AMOUNTS) {
      for (const kind of ['credit', 'debit']) {
        await expectRefused('POST', `/v1/balances/${balanceId}/${kind}`, {
          token: admin,
          body: { amount },
        });
      }
      await expectRefused('POST', '/v1/transfers', {
        token: admin,
        body: { fromBalanceId: balanceId, toBalanceId: '9223372036854775807', amount },
      });
      // Setting or opening an amount of zero is fine; every other value here is not.
      if (typeof amount === 'string' && DECIMAL_PATTERN.test(amount)) continue;
      await expectRefused('PATCH', `/v1/balances/${balanceId}`, { token: admin, body: { amount } });
      await expectRefused('POST', '/v1/balances', {
        token: admin,
        body: { userId, tokenId: '2', amount },
      });
    }
    const bodies: unknown[] = [
      '',
      'null',
      '[]',
      '"amount"',
      '{',
      '{"amount":"1"',
      '{"amount":"1","extra":1}',
      { amount: '1', amount2: '1' },
      { Amount: '1' },
    ];
    for (const body of bodies) {
      await expectRefused('POST', `/v1/balances/${balanceId}/credit`, { token: admin, body });
    }
    await expectRefused('POST', `/v1/balances/${balanceId}/credit`, {
      token: admin,
      body: 'amount=1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await expectRefused('POST', `/v1/balances/${balanceId}/credit`, {
      token: admin,
      body: { amount: '1'.repeat(9_000) },
    });
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=-1',
      'limit=1.5',
      'limit=abc',
      'offset=-1',
      'offset=1e3',
      'cursor=%00',
      `cursor=${'A'.repeat(300)}`,
      'offset=0&cursor=x',
    ]) {
      await expectRefused('GET', `/v1/users/${userId}/balances?${query}`, { token: admin });
    }
    for (const query of [
      'address=',
      `address=${'a'.repeat(300)}`,
      'address=%00',
      'limit=1000',
      'after=0',
      'after=-5',
    ]) {
      await expectRefused('GET', `/v1/balances?${query}`, { token: admin });
    }
    for (const key of ['', 'x'.repeat(256), 'has space', 'ü', 'tab\tkey']) {
      await expectRefused('POST', `/v1/balances/${balanceId}/credit`, {
        token: admin,
        body: { amount: '1' },
        headers: { 'Idempotency-Key': key || ' ' },
      });
    }
    for (const ifMatch of ['W/"1"', '"0"', '"abc"', '*x', '"99999999999999999999"']) {
      await expectRefused('PATCH', `/v1/balances/${balanceId}`, {
        token: admin,
        body: { usdValue: '1' },
        headers: { 'If-Match': ifMatch },
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('fuzzed credit and debit bodies, ids, query strings and headers are refused, and nothing changes', async () => {
    const before = await snapshot();
    const validAmount = (value: unknown) =>
      typeof value === 'string' && DECIMAL_PATTERN.test(value) && !/^0(\.0+)?$/.test(value);
    const runs = { numRuns: 150 };

    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(fc.jsonValue(), fc.string(), fc.double().map(String))
          .filter((amount) => !validAmount(amount)),
        fc.constantFrom('credit', 'debit'),
        async (amount, kind) => {
          await expectRefused('POST', `/v1/balances/${balanceId}/${kind}`, {
            token: admin,
            body: { amount },
          });
        },
      ),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        if (
          typeof body === 'object' &&
          body !== null &&
          !Array.isArray(body) &&
          validAmount((body as { amount?: unknown }).amount) &&
          Object.keys(body).length === 1
        )
          return;
        await expectRefused('POST', `/v1/balances/${balanceId}/credit`, {
          token: admin,
          body: JSON.stringify(body),
        });
      }),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }).filter((id) => !ID_PATTERN.test(id)),
        async (id) => {
          await expectRefused('GET', `/v1/balances/${encodeURIComponent(id)}`, { token: admin });
          await expectRefused('POST', `/v1/balances/${encodeURIComponent(id)}/debit`, {
            token: admin,
            body: { amount: '1' },
          });
        },
      ),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ maxLength: 30 })
          .filter((value) => !/^\d+$/.test(value) || Number(value) > 100 || Number(value) < 1),
        async (limit) => {
          await expectRefused(
            'GET',
            `/v1/users/${userId}/balances?limit=${encodeURIComponent(limit)}`,
            { token: admin },
          );
        },
      ),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (header) => {
        await expectRefused('GET', `/v1/balances/${balanceId}`, {
          headers: { Authorization: `Bearer ${header}` },
        });
      }),
      runs,
    );
    expect(await snapshot()).toEqual(before);
  });
});
