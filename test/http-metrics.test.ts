/**
 * GET /metrics reports every request in Prometheus' HTTP convention: a latency histogram by
 * method, OpenAPI route template and status class, and the requests in flight.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../src/db/pool.js';
import { openApiTemplate } from '../src/http/http-metrics.js';
import { adminToken, buildApi, type TestApi } from './support/api.js';
import { uniqueUserId } from './support/ids.js';

let pool: pg.Pool;
let api: TestApi;

beforeAll(() => {
  pool = createPool(inject('databaseUrl'));
  api = buildApi(pool); // a registry of its own: the counts below are this file's alone
});

afterAll(async () => {
  await api?.close();
  await pool?.end();
});

/** The value of one sample line of the exposition, or undefined when there is none. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}) {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of exposition.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => present.includes(w)) && present.length === wanted.length) {
      return Number(match[3]);
    }
  }
  return undefined;
}

describe('HTTP metrics', () => {
  it('count requests by method, route template and status class, and the requests in flight', async () => {
    const admin = await adminToken();
    const created = await api.call('POST', '/v1/balances', {
      token: admin,
      body: { userId: uniqueUserId(), tokenId: '1', amount: '1.5' },
    });
    const { id } = (await created.json()) as { id: string };
    for (let i = 0; i < 3; i++) {
      expect((await api.call('GET', `/v1/balances/${id}`, { token: admin })).status).toBe(200);
    }
    expect(
      (await api.call('GET', '/v1/balances/9223372036854775807', { token: admin })).status,
    ).toBe(404);
    expect((await api.call('GET', `/v1/balances/${id}`)).status).toBe(401);
    expect((await api.call('GET', '/v1/no/such/route', { token: admin })).status).toBe(404);
    expect((await api.call('GET', '/healthz')).status).toBe(200);

    const scrape = await api.call('GET', '/metrics');
    const text = await scrape.text();
    const count = (labels: Record<string, string>) =>
      sample(text, 'http_request_duration_seconds_count', labels);
    const byId = { method: 'GET', route: '/v1/balances/{id}' };
    expect(count({ ...byId, status_class: '2xx' })).toBe(3);
    // The 401 comes from the auth middleware, before the handler: still the route's template.
    expect(count({ ...byId, status_class: '4xx' })).toBe(2);
    expect(count({ method: 'POST', route: '/v1/balances', status_class: '2xx' })).toBe(1);
    expect(count({ method: 'GET', route: 'unmatched', status_class: '4xx' })).toBe(1);
    expect(count({ method: 'GET', route: '/healthz', status_class: '2xx' })).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_bucket', {
        ...byId,
        status_class: '2xx',
        le: '+Inf',
      }),
    ).toBe(3);
    expect(
      sample(text, 'http_request_duration_seconds_sum', { ...byId, status_class: '2xx' }),
    ).toBeGreaterThan(0);
    // The scrape itself is the one request in flight while the exposition is written.
    expect(sample(text, 'http_requests_in_flight')).toBe(1);
    expect(text).not.toContain(`/v1/balances/${id}"`); // raw paths never become labels
    const after =
      await api.stack.metrics.registry.getSingleMetricAsString('http_requests_in_flight');
    expect(sample(after, 'http_requests_in_flight')).toBe(0);
  });

  it('turns Hono route paths into OpenAPI templates', () => {
    expect(openApiTemplate('/v1/users/:userId/tokens/:tokenId')).toBe(
      '/v1/users/{userId}/tokens/{tokenId}',
    );
    expect(openApiTemplate('/v1/balances/:id{[0-9]+}/entries')).toBe('/v1/balances/{id}/entries');
    expect(openApiTemplate('/healthz')).toBe('/healthz');
  });
});
