/**
 * The typed client (`balance-service/client`) against the app on a real socket: every
 * documented operation is called through it, typed from the server's own routes, and every
 * exchange is checked against /openapi.json like the app.request() tests are.
 */
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, expectTypeOf, inject, it } from 'vitest';
import { type BalanceClient, createBalanceClient, type Problem } from '../src/client.js';
import { createPool } from '../src/db/pool.js';
import { adminToken, buildApi, type TestApi, userToken } from './support/api.js';
import { uniqueUserId } from './support/ids.js';
import { type OpenApiDocument, OpenApiTraffic } from './support/openapi-traffic.js';

let pool: pg.Pool;
let api: TestApi;
let server: ServerType;
let baseUrl: string;
let traffic: OpenApiTraffic;
/** Each operation the client called, as `get /v1/balances/{id}`, and anything it contradicted. */
const called = new Set<string>();
const contradictions: string[] = [];

/** The global fetch, recording which operation each call was and checking it against the document. */
const checkedFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const body = request.body ? await request.clone().text() : undefined;
  const response = await fetch(request);
  const url = new URL(request.url);
  const sent = {
    method: request.method,
    url: url.pathname + url.search,
    headers: Object.fromEntries(request.headers),
    body,
  };
  const operation = traffic.operationOf(request.method, url.pathname);
  if (operation) called.add(`${operation.verb} ${operation.template}`);
  contradictions.push(...(await traffic.responseProblems(sent, response)));
  if (response.status < 400) contradictions.push(...traffic.requestProblems(sent));
  return response;
};

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'));
  api = buildApi(pool);
  traffic = new OpenApiTraffic(
    (await (await api.call('GET', '/openapi.json')).json()) as OpenApiDocument,
  );
  server = await new Promise<ServerType>((resolve) => {
    const listening = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(listening),
    );
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await api?.close();
  await pool?.end();
});

describe('createBalanceClient', () => {
  it('calls every operation of the document, typed, over a real socket', async () => {
    const admin: BalanceClient = createBalanceClient(baseUrl, {
      token: await adminToken(),
      fetch: checkedFetch,
    });
    const userId = uniqueUserId();
    const created = await admin.v1.balances.$post({
      json: { userId, tokenId: '1', amount: '10.5', address: `client-${userId}` },
    });
    expect(created.status).toBe(201);
    if (created.status !== 201) throw new Error('not created');
    const balance = await created.json();
    expectTypeOf(balance.amount).toEqualTypeOf<string>();
    expect(balance).toMatchObject({ userId, amount: '10.5' });
    const id = balance.id;

    const read = await admin.v1.balances[':id'].$get({ param: { id } });
    expect(read.status).toBe(200);
    if (read.status === 200) expect((await read.json()).usdValue).toBe('0');
    const notModified = await admin.v1.balances[':id'].$get(
      { param: { id } },
      { headers: { 'If-None-Match': read.headers.get('etag') ?? '' } },
    );
    expect(notModified.status).toBe(304);

    const credited = await admin.v1.balances[':id'].credit.$post({
      param: { id },
      json: { amount: '1.25' },
      header: { 'idempotency-key': `client-${userId}` },
    });
    if (credited.status !== 200) throw new Error(`credit answered ${credited.status}`);
    expect((await credited.json()).balance.amount).toBe('11.75');
    const debited = await admin.v1.balances[':id'].debit.$post({
      param: { id },
      json: { amount: '100' },
      header: {},
    });
    expect(debited.status).toBe(409);
    if (debited.status === 409) {
      const problem = await debited.json();
      expectTypeOf(problem).toMatchTypeOf<Problem>();
      expect(problem.type).toBe('urn:balance-service:problem:insufficient-funds');
    }

    const patched = await admin.v1.balances[':id'].$patch({
      param: { id },
      json: { usdValue: '20' },
      header: { 'if-match': `"${balance.version}"` },
    });
    expect(patched.status).toBe(412); // the credit moved the version on
    const entries = await admin.v1.balances[':id'].entries.$get({
      param: { id },
      query: { limit: '10' },
    });
    if (entries.status !== 200) throw new Error(`entries answered ${entries.status}`);
    // Newest first: the credit, then the opening amount, journaled as an adjustment.
    expect((await entries.json()).items.map((e) => e.kind)).toEqual(['credit', 'adjustment']);

    const listed = await admin.v1.balances.$get({ query: { address: `client-${userId}` } });
    if (listed.status !== 200) throw new Error(`list answered ${listed.status}`);
    expect((await listed.json()).items.map((b) => b.id)).toEqual([id]);

    const owner = createBalanceClient(baseUrl, {
      token: () => userToken(userId),
      fetch: checkedFetch,
    });
    const mine = await owner.v1.users[':userId'].balances.$get({ param: { userId }, query: {} });
    if (mine.status !== 200) throw new Error(`own balances answered ${mine.status}`);
    expect((await mine.json()).items).toHaveLength(1);
    const token = await owner.v1.users[':userId'].tokens[':tokenId'].$get({
      param: { userId, tokenId: '1' },
    });
    if (token.status !== 200) throw new Error(`token answered ${token.status}`);
    expect((await token.json()).amount).toBe('11.75');
    const total = await owner.v1.users[':userId'].total.$get({ param: { userId } });
    if (total.status !== 200) throw new Error(`total answered ${total.status}`);
    expect(await total.json()).toEqual({ userId, totalUsd: '0' });
    // Emptied by a transfer, so that it can be deleted (a balance holding funds cannot).
    const other = await admin.v1.balances.$post({ json: { userId: uniqueUserId(), tokenId: '1' } });
    if (other.status !== 201) throw new Error(`second balance answered ${other.status}`);
    const otherId = (await other.json()).id;
    const moved = await admin.v1.transfers.$post({
      json: { fromBalanceId: id, toBalanceId: otherId, amount: '11.75' },
      header: { 'idempotency-key': `client-transfer-${userId}` },
    });
    if (moved.status !== 201) throw new Error(`transfer answered ${moved.status}`);
    const { transfer, from, to } = await moved.json();
    expectTypeOf(transfer.amount).toEqualTypeOf<string>();
    expect([from.amount, to.amount]).toEqual(['0', '11.75']);
    const fetched = await admin.v1.transfers[':id'].$get({ param: { id: transfer.id } });
    if (fetched.status !== 200) throw new Error(`transfer read answered ${fetched.status}`);
    expect((await fetched.json()).credit.balanceId).toBe(otherId);

    const forbidden = await owner.v1.balances[':id'].$delete({ param: { id } });
    expect(forbidden.status).toBe(403);

    const deleted = await admin.v1.balances[':id'].$delete({ param: { id } });
    expect(deleted.status).toBe(204);
    const gone = await admin.v1.balances[':id'].$get({ param: { id } });
    expect(gone.status).toBe(404);
    if (gone.status === 404) expect((await gone.json()).status).toBe(404);

    const anonymous = createBalanceClient(baseUrl, { fetch: checkedFetch });
    expect(await (await anonymous.healthz.$get()).json()).toEqual({ status: 'ok' });
    const ready = await anonymous.readyz.$get();
    expect(ready.status).toBe(200);
    expect((await ready.json()).database).toBe('up');
    expect(await (await anonymous.metrics.$get()).text()).toContain(
      'http_request_duration_seconds',
    );
    const unauthorized = await anonymous.v1.balances[':id'].$get({ param: { id } });
    expect(unauthorized.status).toBe(401);

    expect(contradictions).toEqual([]);
    const documented = Object.entries(traffic.document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect([...called].sort()).toEqual(documented.sort());
  });

  it('is what the package exports as balance-service/client', async () => {
    // A specifier in a variable: the compiled dist/ need not exist when the tests type-check.
    const specifier = 'balance-service/client';
    expect(import.meta.resolve(specifier)).toMatch(/\/dist\/client\.js$/);
    const published = (await import(specifier)) as typeof import('../src/client.js');
    expect(typeof published.createBalanceClient).toBe('function');
  });
});
