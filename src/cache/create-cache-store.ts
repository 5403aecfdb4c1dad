import type { RedisNode } from '../config.js';
import type { CacheStore } from './cache-store.js';
import { createMemoryStore } from './memory-store.js';
import { createRedisClusterStore } from './redis-cluster-store.js';
import { createRedisStore } from './redis-store.js';

export type { CacheStore } from './cache-store.js';

export interface CacheStoreOptions {
  redisUrl?: string;
  /** Seed nodes of a Redis Cluster; used when given. */
  redisClusterNodes?: RedisNode[];
  /** Entries kept by the in-memory store before the least recently used go. */
  memoryMaxEntries?: number;
}

/**
 * Where cached values live: a Redis Cluster when seed nodes are given, one Redis when a URL
 * is, else a bounded in-process LRU.
 */
export function createCacheStore(options: CacheStoreOptions = {}): CacheStore {
  if (options.redisClusterNodes) return createRedisClusterStore(options.redisClusterNodes);
  return options.redisUrl
    ? createRedisStore(options.redisUrl)
    : createMemoryStore(options.memoryMaxEntries);
}
