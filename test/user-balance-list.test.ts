/**
 * The bounded unpaged list, GET /v1/users/{userId}/balances with no query: at most
 * USER_BALANCES_LIMIT balances in token order, a token-order cursor when more follow, pages
 * that continue it, the ETag kept with the cached list, and the cache holding only the bound.
 * Through app.request() (so /openapi.json checks the traffic), with each cache kind.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cacheKeys } from '../src/cache/keys.js';
import { cacheConfigFromEnv } from '../src/config.js';
import { ConfigurationError } from '../src/config-error.js';
import { createPool } from '../src/db/pool.js';
import type { Balance } from '../src/service/balance.js';
import { adminToken, buildApi, problemOf, type TestApi } from './support/api.js';
import { uniqueUserId } from './support/ids.js';
import { redisSkipReason, sharedRedisUrl, withClient } from './support/redis.js';
import { metricValue } from './support/service.js';

const redisSkip = await redisSkipReason();
/** Small, so a handful of balances is "more than the limit". */
const LIMIT = 3;

interface ListBody {
  items: Balance[];
  nextCursor: string | null;
}

let pool: pg.Pool;
let admin: string;

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'));
  admin = await adminToken();
});

afterAll(async () => {
  await pool?.end();
});

/** Opens balances of `userId` for each token, straight in SQL (a write path is not under test). */
async function openBalances(userId: string, tokenIds: string[]): Promise<void> {
  await pool.query('INSERT INTO balances (user_id, token_id) SELECT $1, unnest($2::bigint[])', [
    userId,
    tokenIds,
  ]);
}

/** Token ids 1..n as strings, in numeric order (so "10" comes after "9", as in PostgreSQL). */
const tokensUpTo = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

/** The unpaged list, then every page its cursor leads to, as bodies. */
async function readAllPages(api: TestApi, userId: string, pageLimit?: number) {
  const bodies: ListBody[] = [];
  let path = `/v1/users/${userId}/balances`;
  for (;;) {
    const response = await api.call('GET', path, { token: admin });
    expect(response.status, path).toBe(200);
    const body = (await response.json()) as ListBody;
    bodies.push(body);
    if (body.nextCursor === null) return bodies;
    expect(bodies.length, 'pages').toBeLessThan(100);
    const size = pageLimit === undefined ? '' : `&limit=${pageLimit}`;
    path = `/v1/users/${userId}/balances?cursor=${body.nextCursor}${size}`;
  }
}

describe.each(['memory', 'redis'] as const)('the bounded user list (%s cache)', (kind) => {
  describe.skipIf(kind === 'redis' && redisSkip !== undefined)('', () => {
    let api: TestApi;
    beforeAll(() => {
      api = buildApi(pool, {
        redisUrl: kind === 'redis' ? sharedRedisUrl : undefined,
        userBalancesLimit: LIMIT,
      });
    });
    afterAll(async () => {
      await api?.close();
    });

    it('answers at most the limit, then its cursor pages serve every balance exactly once in token order', async () => {
      const userId = uniqueUserId();
      const tokens = tokensUpTo(10);
      await openBalances(userId, [...tokens].reverse());
      await openBalances(uniqueUserId(), ['2', '5']); // another user's, never listed

      const pages = await readAllPages(api, userId);
      expect(pages.map((page) => page.items.length)).toEqual([3, 3, 3, 1]);
      const listed = pages.flatMap((page) => page.items);
      expect(listed.map((b) => b.tokenId)).toEqual(tokens);
      expect(new Set(listed.map((b) => b.id)).size).toBe(tokens.length);
      expect(listed.every((b) => b.userId === userId)).toBe(true);

      // `limit` sizes the pages that follow; the order stays the token order.
      const smaller = await readAllPages(api, userId, 4);
      expect(smaller.map((page) => page.items.length)).toEqual([3, 4, 3]);
      expect(smaller.flatMap((page) => page.items.map((b) => b.tokenId))).toEqual(tokens);
    });

    it('says nothing follows when the user holds exactly the limit, or fewer', async () => {
      const exactly = uniqueUserId();
      await openBalances(exactly, tokensUpTo(LIMIT));
      const full = await api.call('GET', `/v1/users/${exactly}/balances`, { token: admin });
      const body = (await full.json()) as ListBody;
      expect(body.items).toHaveLength(LIMIT);
      expect(body.nextCursor).toBeNull();

      const none = await api.call('GET', `/v1/users/${uniqueUserId()}/balances`, { token: admin });
      expect(await none.json()).toEqual({ items: [], nextCursor: null });
    });

    it('keeps the ETag with the cached list: the same on a hit, new when a listed balance or the set changes', async () => {
      const userId = uniqueUserId();
      await openBalances(userId, tokensUpTo(LIMIT));
      const etagNow = async () => {
        const response = await api.call('GET', `/v1/users/${userId}/balances`, { token: admin });
        expect(response.status).toBe(200);
        return response.headers.get('etag') ?? '';
      };
      const hitsBefore = await metricValue(
        api.stack.metrics,
        'balance_cache_hit_total',
        'findByUserId',
      );
      const first = await etagNow();
      expect(first).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(await etagNow()).toBe(first);
      expect(
        await metricValue(api.stack.metrics, 'balance_cache_hit_total', 'findByUserId'),
      ).toBeGreaterThan(hitsBefore);
      const revalidated = await api.call('GET', `/v1/users/${userId}/balances`, {
        token: admin,
        headers: { 'If-None-Match': first },
      });
      expect(revalidated.status).toBe(304);

      const listed = (await (
        await api.call('GET', `/v1/users/${userId}/balances`, { token: admin })
      ).json()) as ListBody;
      const second = listed.items[1] as Balance;
      const credited = await api.call('POST', `/v1/balances/${second.id}/credit`, {
        token: admin,
        body: { amount: '1' },
      });
      expect(credited.status).toBe(200);
      const afterCredit = await etagNow();
      expect(afterCredit).not.toBe(first);

      // A balance past the limit leaves the items as they were but adds a cursor.
      const beyond = await api.call('POST', '/v1/balances', {
        token: admin,
        body: { userId, tokenId: '99' },
      });
      expect(beyond.status).toBe(201);
      const afterGrowth = await etagNow();
      expect(afterGrowth).not.toBe(afterCredit);
      const grown = (await (
        await api.call('GET', `/v1/users/${userId}/balances`, { token: admin })
      ).json()) as ListBody;
      expect(grown.items.map((b) => b.tokenId)).toEqual(tokensUpTo(LIMIT));
      expect(grown.nextCursor).not.toBeNull();
    });

    it('refuses a forged or foreign cursor with 400 problem+json naming the cursor', async () => {
      const userId = uniqueUserId();
      await openBalances(userId, tokensUpTo(2));
      const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const forged of [
        cursor(['token', 'abc']),
        cursor(['token', '0']),
        cursor(['token', 5]),
        cursor(['token', '-1']),
        cursor(['token', '9223372036854775808']),
        cursor(['token', '1', 'extra']),
        cursor(['tokens', '1']),
        cursor({ order: 'token', after: '1' }),
        cursor(['token']),
      ]) {
        const response = await api.call('GET', `/v1/users/${userId}/balances?cursor=${forged}`, {
          token: admin,
        });
        expect(response.status, forged).toBe(400);
        const problem = await problemOf(response);
        expect(
          problem.errors?.map((e) => e.field),
          forged,
        ).toEqual(['cursor']);
      }
      const valid = await api.call(
        'GET',
        `/v1/users/${userId}/balances?cursor=${cursor(['token', '1'])}`,
        { token: admin },
      );
      expect(await valid.json()).toMatchObject({ items: [{ tokenId: '2' }], nextCursor: null });
    });

    it('states the limit in force in /openapi.json', async () => {
      const response = await api.call('GET', '/openapi.json');
      const document = (await response.json()) as {
        paths: Record<string, { get?: { description?: string } }>;
      };
      expect(document.paths['/v1/users/{userId}/balances']?.get?.description).toContain(
        `at most ${LIMIT} of them`,
      );
    });
  });
});

describe.skipIf(redisSkip !== undefined)('the bounded user list in Redis', () => {
  let api: TestApi;
  beforeAll(() => {
    api = buildApi(pool, { redisUrl: sharedRedisUrl, userBalancesLimit: LIMIT });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('stores only the bounded list in Redis, rendered, with its tag', async () => {
    const userId = uniqueUserId();
    await openBalances(userId, tokensUpTo(LIMIT * 4));
    const response = await api.call('GET', `/v1/users/${userId}/balances`, { token: admin });
    const etag = response.headers.get('etag');
    const body = await response.text();
    const raw = await withClient(sharedRedisUrl, (client) =>
      client.get(`${api.stack.keyPrefix}${cacheKeys.byUser(userId)}`),
    );
    // `text <epoch> <generation>`, then `<tag> <the JSON answered>`: a hit parses nothing.
    const [header, stored] = (raw ?? '').split('\n') as [string, string];
    expect(header).toMatch(/^text \S+ \S+$/);
    expect(stored).toBe(`${etag?.slice(1, -1)} ${body}`);
    const list = JSON.parse(body) as ListBody;
    expect(list.items.map((b) => b.tokenId)).toEqual(tokensUpTo(LIMIT));
    expect(list.nextCursor).not.toBeNull();
  });

  it('reads past a list cached by an earlier version (a bare array, then an object)', async () => {
    const userId = uniqueUserId();
    await openBalances(userId, tokensUpTo(LIMIT + 1));
    const path = `/v1/users/${userId}/balances`;
    const fresh = (await (await api.call('GET', path, { token: admin })).json()) as ListBody;
    const key = `${api.stack.keyPrefix}${cacheKeys.byUser(userId)}`;
    const hits = () => metricValue(api.stack.metrics, 'balance_cache_hit_total', 'findByUserId');
    const [header] = ((await withClient(sharedRedisUrl, (c) => c.get(key))) ?? '').split('\n');
    const [, epoch, generation] = (header as string).split(' ');
    for (const old of [fresh.items, { ...fresh, tag: 'old-tag' }]) {
      // The old form, under the current epoch and generation: a hit, were it trusted.
      await withClient(sharedRedisUrl, (client) =>
        client.set(key, JSON.stringify({ e: epoch, g: generation, v: old }), { KEEPTTL: true }),
      );
      const hitsBefore = await hits();
      const response = await api.call('GET', path, { token: admin });
      expect(await hits()).toBe(hitsBefore + 1); // the old value was found, and not served
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(fresh);
    }
  });
});

describe('the bounded user list at the default limit', () => {
  let api: TestApi;
  beforeAll(() => {
    api = buildApi(pool);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 1,000 of a user’s 2,500 balances, and two more pages give the rest, each once', async () => {
    const userId = uniqueUserId();
    const tokens = tokensUpTo(2_500);
    await openBalances(userId, tokens);
    const pages = await readAllPages(api, userId);
    expect(pages.map((page) => page.items.length)).toEqual([1_000, 1_000, 500]);
    expect(pages.flatMap((page) => page.items.map((b) => b.tokenId))).toEqual(tokens);
  });
});

describe('USER_BALANCES_LIMIT', () => {
  it('is 1,000 unless set, and takes any integer from 1 to 10,000', () => {
    expect(cacheConfigFromEnv({}).userBalancesLimit).toBe(1_000);
    expect(cacheConfigFromEnv({ USER_BALANCES_LIMIT: '1' }).userBalancesLimit).toBe(1);
    expect(cacheConfigFromEnv({ USER_BALANCES_LIMIT: '10000' }).userBalancesLimit).toBe(10_000);
  });

  it('stops the start with a message naming it when it is not such an integer', () => {
    for (const raw of ['0', '-5', '1.5', 'abc', '10001', '1e3x']) {
      expect(() => cacheConfigFromEnv({ USER_BALANCES_LIMIT: raw }), raw).toThrow(
        ConfigurationError,
      );
      expect(() => cacheConfigFromEnv({ USER_BALANCES_LIMIT: raw }), raw).toThrow(
        /USER_BALANCES_LIMIT/,
      );
    }
  });
});
