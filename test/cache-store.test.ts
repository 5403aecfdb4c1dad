/**
 * The in-memory store is bounded and honours TTLs (Keyv over some LRU stores silently stores
 * nothing when given a TTL), and its set-if-absent and compare-and-set are what the guard needs.
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
