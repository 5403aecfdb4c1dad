/**
 * /openapi.json is a valid OpenAPI 3.1 document that lists every route the app serves, and
 * /docs renders it from assets the app serves itself.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../src/db/pool.js';
import { buildApi, type TestApi } from './support/api.js';

const EXPECTED_OPERATIONS = [
  'get /v1/balances/{id}',
  'get /v1/balances',
  'post /v1/balances',
  'patch /v1/balances/{id}',
  'delete /v1/balances/{id}',
  'post /v1/balances/{id}/credit',
  'post /v1/balances/{id}/debit',
  'get /v1/balances/{id}/entries',
  'get /v1/users/{userId}/balances',
  'get /v1/users/{userId}/tokens/{tokenId}',
  'get /v1/users/{userId}/total',
  'post /v1/transfers',
  'get /v1/transfers/{id}',
  'get /healthz',
  'get /readyz',
  'get /metrics',
];

describe('the API description', () => {
  let pool: pg.Pool;
  let api: TestApi;

  beforeAll(() => {
    pool = createPool(inject('databaseUrl'));
    api = buildApi(pool);
  });

  afterAll(async () => {
    await api?.close();
    await pool?.end();
  });

  it('validates as OpenAPI 3.1 and lists every route', async () => {
    const document = (await (await api.call('GET', '/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(operations.sort()).toEqual([...EXPECTED_OPERATIONS].sort());
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const operation of Object.values(methods)) {
        expect(Boolean(operation.security), path).toBe(path.startsWith('/v1/'));
      }
    }
  });

  it('states the cache TTLs in force, defaults or CACHE_TTL_* overrides', async () => {
    type Document = {
      paths: Record<string, Record<string, { summary?: string; description?: string }>>;
    };
    const texts = (document: Document) => [
      document.paths['/v1/balances/{id}']?.get?.summary,
      document.paths['/v1/users/{userId}/balances']?.get?.description,
      document.paths['/v1/users/{userId}/tokens/{tokenId}']?.get?.summary,
      document.paths['/v1/users/{userId}/total']?.get?.summary,
    ];
    const defaults = (await (await api.call('GET', '/openapi.json')).json()) as Document;
    expect(texts(defaults).map((text) => /cached ([^,)]+)/.exec(text ?? '')?.[1])).toEqual([
      '5 min',
      '1 min',
      '5 min',
      '2 min',
    ]);
    const overridden = buildApi(pool, {
      ttls: { byIdMs: 90_000, byUserMs: 10_000, byUserAndTokenMs: 3_600_000, totalByUserMs: 1_000 },
    });
    try {
      const document = (await (await overridden.call('GET', '/openapi.json')).json()) as Document;
      expect(texts(document).map((text) => /cached ([^,)]+)/.exec(text ?? '')?.[1])).toEqual([
        '90 s',
        '10 s',
        '60 min',
        '1 s',
      ]);
    } finally {
      await overridden.close();
    }
  });

  it('is rendered at /docs by Swagger UI served from this app', async () => {
    const page = await api.call('GET', '/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    const scripts = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(scripts).toEqual([
      '/docs/swagger-ui.css',
      '/docs/swagger-ui-bundle.js',
      '/docs/init.js',
    ]);
    for (const asset of scripts) {
      const response = await api.call('GET', asset);
      expect(response.status, asset).toBe(200);
      expect((await response.text()).length, asset).toBeGreaterThan(20);
    }
    expect(await (await api.call('GET', '/docs/init.js')).text()).toContain("url: '/openapi.json'");
    expect((await api.call('GET', '/docs/other.js')).status).toBe(404);
  });

  it("routes every request through hono's RegExpRouter, not its slower fallback", async () => {
    // SmartRouter picks the first router that accepts every route; a route the RegExpRouter
    // refuses (once, `/docs/:asset` beside `/docs/init.js`) quietly costs every request.
    await api.call('GET', '/healthz');
    expect(api.app.router.name).toBe('SmartRouter + RegExpRouter');
  });
});
