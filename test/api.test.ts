/**
 * Every route through app.request(): results, statuses, problem+json bodies, auth, ETags,
 * conditional writes and idempotent replays, against the run's real PostgreSQL.
 */
import { sign } from 'hono/jwt';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../src/db/pool.js';
import type { Balance } from '../src/service/balance.js';
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

async function createBalance(fields: Record<string, unknown> = {}): Promise<Balance> {
  const response = await api.call('POST', '/v1/balances', {
    token: admin,
    body: { userId: uniqueUserId(), tokenId: '1', ...fields },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Balance;
}

describe('authentication and access', () => {
  it('answers 401 problem+json with a Bearer challenge when the token is missing', async () => {
    const response = await api.call('GET', '/v1/balances/1');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await problemOf(response)).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('answers 401 to a wrong signature, alg none, an expired token and a token without exp', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: '1', role: 'admin', exp: now + 60 };
    const unsigned = (payload: object) =>
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    const tokens = {
      'wrong signature': await sign(claims, 'another-secret-another-secret-012345', 'HS256'),
      'alg none': unsigned(claims),
      expired: await sign({ ...claims, exp: now - 10 }, TEST_SECRET, 'HS256'),
      'no exp': await sign({ sub: '1', role: 'admin' }, TEST_SECRET, 'HS256'),
      'unknown role': await sign({ ...claims, role: 'root' }, TEST_SECRET, 'HS256'),
      'HS512 with the same secret': await sign(claims, TEST_SECRET, 'HS512'),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const response = await api.call('GET', '/v1/balances?limit=1', { token });
      expect(response.status, name).toBe(401);
      expect((await problemOf(response)).detail, name).toBeDefined();
    }
    const expired = await api.call('GET', '/v1/balances?limit=1', { token: tokens.expired });
    expect((await problemOf(expired)).detail).toBe('the token has expired');
  });

  it('lets a user read only their own balances: another user’s answers 404 like a missing one', async () => {
    const mine = await createBalance();
    const theirs = await createBalance();
    const token = await userToken(mine.userId);
    expect((await api.call('GET', `/v1/balances/${mine.id}`, { token })).status).toBe(200);
    const other = await api.call('GET', `/v1/balances/${theirs.id}`, { token });
    const missing = await api.call('GET', '/v1/balances/9223372036854775807', { token });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect({ ...(await problemOf(other)), instance: undefined }).toEqual({
      ...(await problemOf(missing)),
      instance: undefined,
    });
    for (const path of [
      `/v1/users/${theirs.userId}/balances`,
      `/v1/users/${theirs.userId}/total`,
      `/v1/users/${theirs.userId}/tokens/1`,
      `/v1/balances/${theirs.id}/entries`,
    ]) {
      expect((await api.call('GET', path, { token })).status, path).toBe(404);
    }
  });

  it('answers 403 when a user calls an admin route, and changes nothing', async () => {
    const mine = await createBalance({ amount: '5' });
    const token = await userToken(mine.userId);
    const attempts: [string, string, unknown][] = [
      ['POST', '/v1/balances', { userId: mine.userId, tokenId: '2' }],
      ['PATCH', `/v1/balances/${mine.id}`, { amount: '100' }],
      ['DELETE', `/v1/balances/${mine.id}`, undefined],
      ['POST', `/v1/balances/${mine.id}/credit`, { amount: '1' }],
      ['POST', `/v1/balances/${mine.id}/debit`, { amount: '1' }],
      ['GET', '/v1/balances?limit=5', undefined],
      ['GET', '/v1/balances?address=x', undefined],
    ];
    for (const [method, path, body] of attempts) {
      const response = await api.call(method, path, { token, body });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect((await problemOf(response)).title).toBe('Forbidden');
    }
    const after = await api.call('GET', `/v1/balances/${mine.id}`, { token });
    expect(await after.json()).toMatchObject({ amount: '5', version: '1' });
  });
});

describe('GET /v1/balances/{id}', () => {
  it('returns the balance with an ETag, and 304 when If-None-Match names it', async () => {
    const created = await createBalance({
      amount: '0.000000000000000001',
      usdValue: '123456789012345678901234567890',
    });
    const response = await api.call('GET', `/v1/balances/${created.id}`, { token: admin });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const body = await response.json();
    expect(body).toEqual(created);
    expect(body).toMatchObject({
      amount: '0.000000000000000001',
      usdValue: '123456789012345678901234567890',
    });

    const again = await api.call('GET', `/v1/balances/${created.id}`, {
      token: admin,
      headers: { 'If-None-Match': '"1"' },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const stale = await api.call('GET', `/v1/balances/${created.id}`, {
      token: admin,
      headers: { 'If-None-Match': '"0"' },
    });
    expect(stale.status).toBe(200);
  });

  it('answers 400 naming the field for a malformed id', async () => {
    const response = await api.call('GET', '/v1/balances/abc', { token: admin });
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.errors?.[0]?.field).toBe('param.id');
    expect(problem.detail).toContain('param.id');
  });
});

describe('/v1/users/{userId}', () => {
  it('lists balances (cached, with an ETag and 304), by offset page, and by cursor', async () => {
    const first = await createBalance({ tokenId: '1' });
    const { userId } = first;
    const token = await userToken(userId);
    for (const tokenId of ['2', '3']) {
      await api.call('POST', '/v1/balances', { token: admin, body: { userId, tokenId } });
    }
    const all = await api.call('GET', `/v1/users/${userId}/balances`, { token });
    expect(all.status).toBe(200);
    const etag = all.headers.get('etag') ?? '';
    const { items } = (await all.json()) as { items: Balance[] };
    expect(items.map((b) => b.tokenId)).toEqual(['1', '2', '3']);
    const notModified = await api.call('GET', `/v1/users/${userId}/balances`, {
      token,
      headers: { 'If-None-Match': etag },
    });
    expect(notModified.status).toBe(304);

    const page = await api.call('GET', `/v1/users/${userId}/balances?limit=2&offset=1`, { token });
    expect(await page.json()).toMatchObject({
      limit: 2,
      offset: 1,
      items: [{ tokenId: '2' }, { tokenId: '1' }],
    });

    const firstPage = (await (
      await api.call('GET', `/v1/users/${userId}/balances?limit=2`, { token })
    ).json()) as {
      items: Balance[];
      nextCursor: string;
    };
    expect(firstPage.items.map((b) => b.tokenId)).toEqual(['3', '2']);
    const secondPage = await (
      await api.call('GET', `/v1/users/${userId}/balances?limit=2&cursor=${firstPage.nextCursor}`, {
        token,
      })
    ).json();
    expect(secondPage).toMatchObject({ items: [{ tokenId: '1' }], nextCursor: null });
  });

  it('refuses offset with cursor, a page over 100, and a cursor it did not make', async () => {
    const { userId } = await createBalance();
    const token = await userToken(userId);
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const query of [
      'offset=0&cursor=abc',
      'limit=101',
      'limit=0',
      'cursor=bm9wZQ',
      `cursor=${cursor(['1', '1'])}`, // Date.parse accepts "1"; PostgreSQL does not
      `cursor=${cursor(['2024-02-30T00:00:00.000Z', '1'])}`,
      `cursor=${cursor(['+010000-01-01T00:00:00.000Z', '1'])}`,
    ]) {
      const response = await api.call('GET', `/v1/users/${userId}/balances?${query}`, { token });
      expect(response.status, query).toBe(400);
      expect((await problemOf(response)).errors?.length, query).toBeGreaterThan(0);
    }
  });

  it('returns one token’s balance and the total in USD, each with an ETag', async () => {
    const created = await createBalance({ tokenId: '9', usdValue: '0.1' });
    await api.call('POST', '/v1/balances', {
      token: admin,
      body: { userId: created.userId, tokenId: '10', usdValue: '0.2' },
    });
    const token = await userToken(created.userId);
    const one = await api.call('GET', `/v1/users/${created.userId}/tokens/9`, { token });
    expect(one.status).toBe(200);
    expect(one.headers.get('etag')).toBe('"1"');
    expect(await one.json()).toEqual(created);
    expect((await api.call('GET', `/v1/users/${created.userId}/tokens/11`, { token })).status).toBe(
      404,
    );

    const total = await api.call('GET', `/v1/users/${created.userId}/total`, { token });
    expect(await total.json()).toEqual({ userId: created.userId, totalUsd: '0.3' });
    const unchanged = await api.call('GET', `/v1/users/${created.userId}/total`, {
      token,
      headers: { 'If-None-Match': total.headers.get('etag') ?? '' },
    });
    expect(unchanged.status).toBe(304);
  });
});

describe('GET /v1/balances (admin)', () => {
  it('pages every balance with default and maximum page sizes, or finds by address', async () => {
    const address = `addr-${uniqueUserId()}`;
    const held = await createBalance({ address });
    const byAddress = await api.call('GET', `/v1/balances?address=${address}`, { token: admin });
    expect(await byAddress.json()).toEqual({ items: [held] });

    const page = (await (await api.call('GET', '/v1/balances', { token: admin })).json()) as {
      items: Balance[];
      limit: number;
      offset: number;
    };
    expect(page.limit).toBe(20);
    expect(page.offset).toBe(0);
    expect(page.items.length).toBeGreaterThan(0);
    expect((await api.call('GET', '/v1/balances?limit=101', { token: admin })).status).toBe(400);

    const keyset = (await (
      await api.call('GET', '/v1/balances?limit=2&after=1', { token: admin })
    ).json()) as {
      items: Balance[];
      nextCursor: string;
    };
    expect(keyset.items.map((b) => BigInt(b.id) > 1n)).toEqual([true, true]);
    expect(keyset.nextCursor).toBe(keyset.items[1]?.id);
  });
});

describe('writes (admin)', () => {
  it('POST creates with 201 and Location; a duplicate is 409; bad input is 400 naming the field', async () => {
    const created = await createBalance({ amount: '1.5', address: '0xabc' });
    expect(created).toMatchObject({ amount: '1.5', usdValue: '0', address: '0xabc', version: '1' });
    const duplicate = await api.call('POST', '/v1/balances', {
      token: admin,
      body: { userId: created.userId, tokenId: created.tokenId },
    });
    expect(duplicate.status).toBe(409);
    expect((await problemOf(duplicate)).type).toBe('urn:balance-service:problem:duplicate-balance');

    const cases: [unknown, string][] = [
      [{ userId: '1', tokenId: '1', amount: 1.5 }, 'json.amount'],
      [{ userId: '1', tokenId: '1', amount: '-1' }, 'json.amount'],
      [{ userId: '1', tokenId: '1', amount: '1.0000000000000000001' }, 'json.amount'],
      [{ userId: 'x', tokenId: '1' }, 'json.userId'],
      [{ tokenId: '1' }, 'json.userId'],
      [{ userId: '1', tokenId: '1', colour: 'red' }, 'json'],
    ];
    for (const [body, field] of cases) {
      const response = await api.call('POST', '/v1/balances', { token: admin, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await problemOf(response)).errors?.[0]?.field, JSON.stringify(body)).toBe(field);
    }
  });

  it('answers 400, never 500, to text PostgreSQL would refuse, such as a NUL in an address', async () => {
    const body = { userId: uniqueUserId(), tokenId: '1', address: 'a\u0000b' };
    const created = await api.call('POST', '/v1/balances', { token: admin, body });
    expect(created.status).toBe(400);
    expect((await problemOf(created)).errors?.[0]?.field).toBe('json.address');
    const lookup = await api.call('GET', '/v1/balances?address=a%00b', { token: admin });
    expect(lookup.status).toBe(400);
  });

  it('answers 503, never 500, when a balance stays locked past the lock timeout', async () => {
    const { id } = await createBalance({ amount: '5' });
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM balances WHERE id = $1 FOR UPDATE', [id]);
      const response = await api.call('POST', `/v1/balances/${id}/debit`, {
        token: admin,
        body: { amount: '1' },
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(
      await (await api.call('GET', `/v1/balances/${id}`, { token: admin })).json(),
    ).toMatchObject({ amount: '5' });
  });

  it('answers 400 to malformed JSON and 413 to a body over the limit', async () => {
    const malformed = await api.call('POST', '/v1/balances', { token: admin, body: '{"userId": ' });
    expect(malformed.status).toBe(400);
    await problemOf(malformed);
    const huge = await api.call('POST', '/v1/balances', {
      token: admin,
      body: { userId: '1', tokenId: '1', address: 'x'.repeat(20_000) },
    });
    expect(huge.status).toBe(413);
    expect((await problemOf(huge)).type).toBe('urn:balance-service:problem:body-too-large');
  });

  it('PATCH honours If-Match: the current version updates, a stale one is 412 and changes nothing', async () => {
    const created = await createBalance({ amount: '1' });
    const path = `/v1/balances/${created.id}`;
    const updated = await api.call('PATCH', path, {
      token: admin,
      body: { usdValue: '2' },
      headers: { 'If-Match': '"1"' },
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');
    expect(await updated.json()).toMatchObject({ usdValue: '2', version: '2' });

    const stale = await api.call('PATCH', path, {
      token: admin,
      body: { amount: '9' },
      headers: { 'If-Match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect((await problemOf(stale)).title).toBe('Version conflict');
    const weak = await api.call('PATCH', path, {
      token: admin,
      body: { amount: '9' },
      headers: { 'If-Match': 'W/"2"' },
    });
    expect(weak.status).toBe(412);
    const beyond64Bits = await api.call('PATCH', path, {
      token: admin,
      body: { amount: '9' },
      headers: { 'If-Match': '"9999999999999999999"' },
    });
    expect(beyond64Bits.status).toBe(412);

    const unconditional = await api.call('PATCH', path, { token: admin, body: { address: null } });
    expect(await unconditional.json()).toMatchObject({ amount: '1', address: null, version: '3' });
    expect((await api.call('PATCH', path, { token: admin, body: {} })).status).toBe(400);
    expect(
      (
        await api.call('PATCH', '/v1/balances/9223372036854775807', {
          token: admin,
          body: { amount: '1' },
        })
      ).status,
    ).toBe(404);
  });

  it('DELETE answers 204, then 404', async () => {
    const created = await createBalance();
    expect((await api.call('DELETE', `/v1/balances/${created.id}`, { token: admin })).status).toBe(
      204,
    );
    expect((await api.call('DELETE', `/v1/balances/${created.id}`, { token: admin })).status).toBe(
      404,
    );
    expect((await api.call('GET', `/v1/balances/${created.id}`, { token: admin })).status).toBe(
      404,
    );
  });
});

describe('credit and debit (admin)', () => {
  it('move money and return the balance and the journal entry', async () => {
    const { id } = await createBalance({ amount: '10' });
    const credit = await api.call('POST', `/v1/balances/${id}/credit`, {
      token: admin,
      body: { amount: '2.5' },
    });
    expect(credit.status).toBe(200);
    expect(await credit.json()).toMatchObject({
      balance: { amount: '12.5', version: '2' },
      entry: { kind: 'credit', amount: '2.5', balanceAfter: '12.5' },
    });
    const debit = await api.call('POST', `/v1/balances/${id}/debit`, {
      token: admin,
      body: { amount: '12.5' },
    });
    expect(await debit.json()).toMatchObject({
      balance: { amount: '0' },
      entry: { kind: 'debit' },
    });
  });

  it('answer 409 for insufficient funds and change nothing', async () => {
    const { id } = await createBalance({ amount: '1' });
    const response = await api.call('POST', `/v1/balances/${id}/debit`, {
      token: admin,
      body: { amount: '1.01' },
    });
    expect(response.status).toBe(409);
    expect((await problemOf(response)).type).toBe('urn:balance-service:problem:insufficient-funds');
    expect(
      await (await api.call('GET', `/v1/balances/${id}`, { token: admin })).json(),
    ).toMatchObject({ amount: '1', version: '1' });
  });

  it('replay the first result for a repeated Idempotency-Key, and answer 422 when the body differs', async () => {
    const { id } = await createBalance({ amount: '10' });
    const key = `idem-${uniqueUserId()}`;
    const send = (amount: string) =>
      api.call('POST', `/v1/balances/${id}/debit`, {
        token: admin,
        body: { amount },
        headers: { 'Idempotency-Key': key },
      });
    const first = await send('4');
    const replay = await send('4');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(await first.text()); // byte for byte
    const different = await send('5');
    expect(different.status).toBe(422);
    expect((await problemOf(different)).type).toBe(
      'urn:balance-service:problem:idempotency-key-reused',
    );
    expect(
      await (await api.call('GET', `/v1/balances/${id}`, { token: admin })).json(),
    ).toMatchObject({ amount: '6' });
    const badKey = await api.call('POST', `/v1/balances/${id}/credit`, {
      token: admin,
      body: { amount: '1' },
      headers: { 'Idempotency-Key': 'x'.repeat(256) },
    });
    expect(badKey.status).toBe(400);
  });

  it('refuse zero, negative, numeric and over-precise amounts with 400', async () => {
    const { id } = await createBalance();
    for (const amount of ['0', '-1', 1, '1e2', '0.0000000000000000001']) {
      const response = await api.call('POST', `/v1/balances/${id}/credit`, {
        token: admin,
        body: { amount },
      });
      expect(response.status, String(amount)).toBe(400);
      expect((await problemOf(response)).errors?.[0]?.field).toBe('json.amount');
    }
  });
});

describe('GET /v1/balances/{id}/entries', () => {
  it('pages the journal newest first for the owner', async () => {
    const created = await createBalance();
    for (const amount of ['1', '2', '3']) {
      await api.call('POST', `/v1/balances/${created.id}/credit`, {
        token: admin,
        body: { amount },
      });
    }
    const token = await userToken(created.userId);
    const first = (await (
      await api.call('GET', `/v1/balances/${created.id}/entries?limit=2`, { token })
    ).json()) as {
      items: { amount: string }[];
      nextCursor: string;
    };
    const second = (await (
      await api.call(
        'GET',
        `/v1/balances/${created.id}/entries?limit=2&before=${first.nextCursor}`,
        { token },
      )
    ).json()) as { items: { amount: string }[]; nextCursor: string | null };
    expect([...first.items, ...second.items].map((e) => e.amount)).toEqual(['3', '2', '1']);
    expect(second.nextCursor).toBeNull();
  });
});

describe('operations', () => {
  it('healthz is alive, readyz reports the database and the cache, metrics are Prometheus text', async () => {
    expect(await (await api.call('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await api.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      database: 'up',
      cache: { kind: 'memory', healthy: true, pendingInvalidations: 0 },
    });
    const { id } = await createBalance();
    await api.call('GET', `/v1/balances/${id}`, { token: admin });
    await api.call('GET', `/v1/balances/${id}`, { token: admin });
    const metrics = await api.call('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toMatch(/balance_cache_hit_total\{query="findById"\} [1-9]/);
    expect(text).toContain('balance_query_duration_seconds_bucket');
  });

  it('readyz answers 503 once shutdown has begun', async () => {
    const draining = buildApi(pool, { isShuttingDown: () => true });
    try {
      const response = await draining.call('GET', '/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'not ready', shuttingDown: true });
      expect(response.headers.get('connection')).toBe('close');
    } finally {
      await draining.close();
    }
  });

  it('answers unknown routes with a 404 problem, never a stack trace', async () => {
    const response = await api.call('GET', '/v2/nothing');
    expect(response.status).toBe(404);
    expect(JSON.stringify(await problemOf(response))).not.toMatch(/at .*\.ts:\d+/);
  });
});
