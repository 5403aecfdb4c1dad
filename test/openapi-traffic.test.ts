/**
 * The document tells the truth: its patterns mean what the server enforces, and the traffic
 * check that every API test goes through (test/support/api.ts) does catch a drift.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../src/db/pool.js';
import { adminToken, buildApi, problemOf, type TestApi } from './support/api.js';
import { uniqueUserId } from './support/ids.js';
import { type OpenApiDocument, OpenApiTraffic } from './support/openapi-traffic.js';

let pool: pg.Pool;
let api: TestApi;
let admin: string;
type AddressSchema = { pattern?: string; anyOf?: { pattern?: string }[] };
let document: OpenApiDocument & {
  components: { schemas: { NewBalance: { properties: { address: AddressSchema } } } };
};

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'));
  api = buildApi(pool);
  admin = await adminToken();
  document = (await (await api.call('GET', '/openapi.json')).json()) as typeof document;
});

afterAll(async () => {
  await api?.close();
  await pool?.end();
});

/** Every `pattern` and `format` anywhere in the document. */
function collect(value: unknown, key: 'pattern' | 'format', found = new Set<string>()) {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && typeof v === 'string') found.add(v);
      else collect(v, key, found);
    }
  }
  return found;
}

describe('the published schemas', () => {
  it('publish the address pattern so that addr-123-1 matches and a control character does not', () => {
    const schema = document.components.schemas.NewBalance.properties.address;
    const pattern = [schema, ...(schema.anyOf ?? [])].find((s) => s.pattern)?.pattern;
    expect(pattern).toBe('^\\P{Cc}{1,255}$');
    const validate = new Ajv2020().compile({ type: 'string', pattern });
    expect(validate('addr-123-1')).toBe(true);
    expect(validate('0x3f5CE5FBFe3E9af3971dD833D26bA9b5C936f0bE')).toBe(true);
    expect(validate('addr\u0007bell')).toBe(false);
    expect(validate('')).toBe(false);
  });

  it('publish only patterns that compile as ECMA-262 with the u flag, and only known formats', () => {
    const patterns = [...collect(document, 'pattern')];
    expect(patterns.length).toBeGreaterThanOrEqual(4);
    for (const pattern of patterns) {
      expect(pattern, 'a regex flag leaked into the pattern').not.toMatch(/\/[a-z]*$/);
      expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow();
    }
    expect([...collect(document, 'format')].sort()).toEqual(['date-time']);
  });

  it('accept, through the API, the addresses the document allows and refuse a control character', async () => {
    const userId = uniqueUserId();
    const created = await api.call('POST', '/v1/balances', {
      token: admin,
      body: { userId, tokenId: '1', address: `addr-${userId}-1` },
    });
    expect(created.status).toBe(201);
    const found = await api.call('GET', `/v1/balances?address=addr-${userId}-1`, { token: admin });
    expect(((await found.json()) as { items: unknown[] }).items).toHaveLength(1);
    const refused = await api.call('POST', '/v1/balances', {
      token: admin,
      body: { userId: uniqueUserId(), tokenId: '1', address: 'addr\u0007' },
    });
    expect(refused.status).toBe(400);
    expect((await problemOf(refused)).errors?.[0]?.field).toBe('json.address');
  });
});

describe('the traffic check', () => {
  const balance = {
    id: '1',
    userId: '2',
    tokenId: '1',
    amount: '1.5',
    usdValue: '3',
    address: null,
    autoConvertThreshold: null,
    createdAt: '2026-11-29T12:00:00.000Z',
    updatedAt: '2026-11-29T12:00:00.000Z',
    version: '1',
  };
  const json = (body: unknown, status = 200, type = 'application/json') =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
  const get = (url: string) => ({ method: 'GET', url, headers: { Authorization: 'Bearer t' } });

  it('passes a conforming exchange', async () => {
    const traffic = new OpenApiTraffic(document);
    expect(traffic.requestProblems(get('/v1/balances/1'))).toEqual([]);
    expect(await traffic.responseProblems(get('/v1/balances/1'), json(balance))).toEqual([]);
  });

  it('flags a response body, status or content type the document does not describe', async () => {
    const traffic = new OpenApiTraffic(document);
    const request = get('/v1/balances/1');
    const { amount: _, ...withoutAmount } = balance;
    expect(await traffic.responseProblems(request, json(withoutAmount))).toEqual([
      expect.stringContaining("must have required property 'amount'"),
    ]);
    expect(await traffic.responseProblems(request, json({ ...balance, amount: 1.5 }))).toEqual([
      expect.stringContaining('/amount must be string'),
    ]);
    expect(await traffic.responseProblems(request, json(balance, 418))).toEqual([
      'status 418 is not documented for get /v1/balances/{id}',
    ]);
    expect(await traffic.responseProblems(request, json(balance, 200, 'text/html'))).toEqual([
      'response content type "text/html" is not documented',
    ]);
  });

  it('flags a request the document refuses: the old /u pattern refused every address', () => {
    const leaked = structuredClone(document);
    const query = leaked.paths['/v1/balances']?.get?.parameters?.find((p) => p.name === 'address');
    (query?.schema as { pattern: string }).pattern = '^\\P{Cc}{1,255}$/u';
    const request = get('/v1/balances?address=addr-123-1');
    expect(new OpenApiTraffic(document).requestProblems(request)).toEqual([]);
    expect(new OpenApiTraffic(leaked).requestProblems(request)).toEqual([
      expect.stringContaining('query address must match pattern'),
    ]);
    expect(
      new OpenApiTraffic(document).requestProblems({
        method: 'GET',
        url: '/v1/balances',
        headers: {},
      }),
    ).toEqual(['no bearer token, which the document requires']);
  });
});
