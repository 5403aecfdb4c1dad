/**
 * The in-memory store is bounded and honours TTLs: Keyv over some LRU stores silently stores
 * nothing when given a TTL, so what is stored is read back here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type CacheStore, createCacheStore } from '../src/cache/create-cache-store.js';

describe('the in-memory cache store', () => {
  let store: CacheStore;
  afterEach(async () => {
    await store?.close();
  });

  it('keeps values written with a TTL, and drops them once it has passed', async () => {
    store = createCacheStore({ memoryMaxEntries: 100 });
    await store.keyv.set('long', { v: 1 }, 60_000);
    await store.keyv.set('short', { v: 2 }, 20);
    expect(await store.keyv.getMany(['long', 'short'])).toEqual([{ v: 1 }, { v: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.keyv.getMany(['long', 'short'])).toEqual([{ v: 1 }, undefined]);
  });

  it('holds at most its bound, dropping the least recently used', async () => {
    store = createCacheStore({ memoryMaxEntries: 10 });
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    await store.keyv.set('k0', 0, 60_000);
    for (const [i, key] of keys.entries()) {
      await store.keyv.set(key, i, 60_000);
      await store.keyv.get('k0'); // kept in use, so never the least recently used
    }
    const values = await store.keyv.getMany(keys);
    const kept = keys.filter((_, i) => values[i] !== undefined);
    expect(kept).toHaveLength(10);
    expect(kept).toContain('k0');
    expect(kept).toContain('k29');
  });
});
