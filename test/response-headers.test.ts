/**
 * Every response carries hono's secure headers and a request id, on a real socket, whether the
 * route built it with every header in one record (the cached reads) or hono's context did
 * (writes, problems, documents); and `Connection: close` while draining.
 */
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../src/db/pool.js';
import { adminToken, buildApi, type TestApi } from './support/api.js';
import { uniqueUserId } from './support/ids.js';

let pool: pg.Pool;
let draining = false;
let api: TestApi;
let server: ServerType;
let baseUrl: string;
let balanceId: string;
let userId: string;
let expectedSecureHeaders: [string, string][];
let admin: string;
let currentEtag = '';

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'));
  admin = await adminToken();
  api = buildApi(pool, { isShuttingDown: () => draining });
  server = await new Promise<ServerType>((resolve) => {
    const listening = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(listening),
    );
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  userId = uniqueUserId();
  const created = await call('POST', '/v1/balances', {
    userId,
    tokenId: '1',
    address: `0x${'ab'.repeat(20)}`,
    amount: '1.5',
    usdValue: '3',
  });
  expect(created.status).toBe(201);
  balanceId = ((await created.json()) as { id: string }).id;
  // What hono's own middleware sends, asked of hono itself, not copied here.
  const reference = await new Hono()
    .use(secureHeaders())
    .get('/', (c) => c.text('x'))
    .request('/');
  expectedSecureHeaders = [...reference.headers].filter(([name]) => name !== 'content-type');
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await api?.close();
  await pool?.end();
});

async function call(method: string, path: string, body?: unknown, headers = {}) {
  return fetch(baseUrl + path, {
    method,
    headers: {
      authorization: `Bearer ${admin}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('response headers on a real socket', () => {
  const requests: [string, () => Promise<Response>, number][] = [
    ['a cached read', () => call('GET', `/v1/balances/${balanceId}`), 200],
    [
      'a cached read, 304',
      () => call('GET', `/v1/balances/${balanceId}`, undefined, { 'if-none-match': currentEtag }),
      304,
    ],
    ['a user list', () => call('GET', `/v1/users/${userId}/balances`), 200],
    ['a user token', () => call('GET', `/v1/users/${userId}/tokens/1`), 200],
    ['a user total', () => call('GET', `/v1/users/${userId}/total`), 200],
    ['a write', () => call('POST', `/v1/balances/${balanceId}/credit`, { amount: '1' }), 200],
    ['a problem', () => call('GET', '/v1/balances/not-an-id'), 400],
    ['no route', () => call('GET', '/v2/nothing'), 404],
    ['the health check', () => call('GET', '/healthz'), 200],
  ];

  it.each(requests)('%s carries the secure headers and a request id', async (_, send, status) => {
    currentEtag = (await call('GET', `/v1/balances/${balanceId}`)).headers.get('etag') ?? '';
    const response = await send();
    expect(response.status).toBe(status);
    for (const [name, value] of expectedSecureHeaders) {
      expect(response.headers.get(name), name).toBe(value);
    }
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('connection')).not.toBe('close');
  });

  it('cached reads carry their ETag in the same record, and a user list its tag', async () => {
    const read = await call('GET', `/v1/balances/${balanceId}`);
    const { version } = (await read.json()) as { version: string };
    expect(read.headers.get('etag')).toBe(`"${version}"`);
    expect(read.headers.get('content-type')).toBe('application/json');
    const list = await call('GET', `/v1/users/${userId}/balances`);
    const etag = list.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await call('GET', `/v1/users/${userId}/balances`, undefined, {
      'if-none-match': etag,
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
  });

  it('keeps a plain request id the client sent, and replaces one that is not', async () => {
    const kept = await call('GET', `/v1/balances/${balanceId}`, undefined, {
      'x-request-id': 'trace-42',
    });
    expect(kept.headers.get('x-request-id')).toBe('trace-42');
    const replaced = await call('GET', `/v1/balances/${balanceId}`, undefined, {
      'x-request-id': 'has spaces',
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('asks keep-alive clients to reconnect while draining, on cached reads too', async () => {
    draining = true;
    try {
      for (const path of [`/v1/balances/${balanceId}`, `/v1/users/${userId}/total`, '/healthz']) {
        const response = await call('GET', path);
        expect(response.headers.get('connection'), path).toBe('close');
        expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      }
    } finally {
      draining = false;
    }
  });
});
