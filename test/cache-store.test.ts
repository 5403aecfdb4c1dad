/**
 * The in-memory store is bounded and honours TTLs (Keyv over some LRU stores silently stores
 * nothing when given a TTL), and its set-if-absent and compare-and-set are what the guard needs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type CacheStore, createCacheStore } from '../src/cache/create-cache-store.js';
import { createRedisStore } from '../src/cache/redis-store.js';
import { redisSkipReason, sharedRedisUrl, withClient } from './support/redis.js';

const redisSkip = await redisSkipReason();

describe('the in-memory cache store', () => {
  let store: CacheStore;
  afterEach(async () => {
    await store?.close();
  });

  it('keeps values written with a TTL, and drops them once it has passed', async () => {
    store = createCacheStore({ memoryMaxEntries: 100 });
    await store.set('long', { v: 1 }, 60_000);
    await store.set('short', { v: 2 }, 20);
    expect((await store.getMany(['long', 'short'])).values).toEqual([{ v: 1 }, { v: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await store.getMany(['long', 'short'])).values).toEqual([{ v: 1 }, undefined]);
  });

  it('holds at most its bound, dropping the least recently used', async () => {
    store = createCacheStore({ memoryMaxEntries: 10 });
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    await store.set('k0', 0, 60_000);
    for (const [i, key] of keys.entries()) {
      await store.set(key, i, 60_000);
      await store.getMany(['k0']); // kept in use, so never the least recently used
    }
    const { values } = await store.getMany(keys);
    const kept = keys.filter((_, i) => values[i] !== undefined);
    expect(kept).toHaveLength(10);
    expect(kept).toContain('k0');
    expect(kept).toContain('k29');
  });

  it('sets a key only when absent, and replaces one only when it holds what was seen', async () => {
    store = createCacheStore();
    expect(await store.setIfAbsent('g', 'first', 60_000)).toBe('first');
    expect(await store.setIfAbsent('g', 'second', 60_000)).toBe('first');
    expect(await store.compareAndSet('e', undefined, 'one')).toBe('one');
    expect(await store.compareAndSet('e', undefined, 'two')).toBe('one');
    expect(await store.compareAndSet('e', 'one', 'three')).toBe('three');
  });
});

describe.skipIf(redisSkip !== undefined)('the Redis store', () => {
  const prefix = `cache-store-test-${randomUUID()}:`;
  const store = createRedisStore(sharedRedisUrl);
  afterAll(() => store.close());
  afterEach(async () => {
    await withClient(sharedRedisUrl, async (client) => {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*` })) {
        if (keys.length > 0) await client.unlink(keys);
      }
    });
  });

  it('keeps a tagged text value as text after a header, and reads back exactly what it stored', async () => {
    const text =
      '42 {"items":[{"note":"a \\"quoted\\" word\\nand a newline"}],"nextCursor":null}\n';
    const tagged = { e: 'run/epoch@00000000016B3748', g: 'generation', v: text };
    await store.set(`${prefix}list`, tagged, 60_000);
    const raw = await withClient(sharedRedisUrl, (client) => client.get(`${prefix}list`));
    expect(raw).toBe(`text ${tagged.e} ${tagged.g}\n${text}`);
    expect((await store.getMany([`${prefix}list`])).values).toEqual([tagged]);
  });

  it('keeps everything else as JSON', async () => {
    const balance = { e: 'epoch', g: 'generation', v: { id: '1', amount: '10.5' } };
    await store.set(`${prefix}balance`, balance, 60_000);
    await store.set(`${prefix}spaced`, { e: 'an epoch', g: 'g', v: 'text' }, 60_000);
    const raw = await withClient(sharedRedisUrl, (client) =>
      client.mGet([`${prefix}balance`, `${prefix}spaced`]),
    );
    expect(raw.map((value) => JSON.parse(value ?? 'null'))).toEqual([
      balance,
      { e: 'an epoch', g: 'g', v: 'text' },
    ]);
    const { values } = await store.getMany([`${prefix}balance`, `${prefix}spaced`]);
    expect(values).toEqual([balance, { e: 'an epoch', g: 'g', v: 'text' }]);
  });
});
