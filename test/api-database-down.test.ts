/**
 * With PostgreSQL gone, the API answers fast with a 503 problem (or from the cache), never
 * hangs and never 500s.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../src/db/pool.js';
import { adminToken, buildApi, problemOf, type TestApi } from './support/api.js';
import { uniqueUserId } from './support/ids.js';
import { TcpProxy } from './support/tcp-proxy.js';

/** Far below the connection timeout a hang would take, far above a refused connection. */
const ANSWER_WITHIN_MS = 3_000;

describe('with the database stopped', () => {
  let proxy: TcpProxy;
  let pool: pg.Pool;
  let api: TestApi;

  beforeAll(async () => {
    const databaseUrl = inject('databaseUrl');
    proxy = await TcpProxy.start(databaseUrl);
    pool = createPool(proxy.urlFor(databaseUrl), { connectionTimeoutMillis: 1_000 });
    api = buildApi(pool);
  });

  afterAll(async () => {
    await api?.close();
    await pool?.end();
    await proxy?.stop();
  });

  it('answers 503 problem+json quickly, serves what is cached, and readyz says not ready', async () => {
    const token = await adminToken();
    const created = await api.call('POST', '/v1/balances', {
      token,
      body: { userId: uniqueUserId(), tokenId: '1', amount: '3' },
    });
    const { id, userId } = (await created.json()) as { id: string; userId: string };
    expect((await api.call('GET', `/v1/balances/${id}`, { token })).status).toBe(200); // cached now

    await proxy.stop();

    for (const [method, path, body] of [
      ['GET', `/v1/users/${userId}/balances?limit=5`, undefined],
      ['POST', `/v1/balances/${id}/credit`, { amount: '1' }],
      ['GET', '/v1/balances?limit=5', undefined],
    ] as const) {
      const started = performance.now();
      const response = await api.call(method, path, { token, body });
      expect(performance.now() - started, path).toBeLessThan(ANSWER_WITHIN_MS);
      expect(response.status, path).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect((await problemOf(response)).title).toBe('Service unavailable');
    }

    const cached = await api.call('GET', `/v1/balances/${id}`, { token });
    expect(cached.status).toBe(200);
    expect(await cached.json()).toMatchObject({ amount: '3' });

    const ready = await api.call('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ database: 'down' });
  });
});
