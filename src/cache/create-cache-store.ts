import type { CacheStore } from './cache-store.js';
import { createMemoryStore } from './memory-store.js';
import { createRedisStore } from './redis-store.js';

export type { CacheStore } from './cache-store.js';

export interface CacheStoreOptions {
  redisUrl?: string;
  /** Entries kept by the in-memory store before the least recently used go. */
  memoryMaxEntries?: number;
}

/** Where cached values live: Redis when a URL is given, else a bounded in-process LRU. */
export function createCacheStore(options: CacheStoreOptions = {}): CacheStore {
  return options.redisUrl
    ? createRedisStore(options.redisUrl)
    : createMemoryStore(options.memoryMaxEntries);
}
