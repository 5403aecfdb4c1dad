import { createKeyv as createMemoryKeyv } from '@cacheable/memory';
import KeyvRedis from '@keyv/redis';
import type { RedisClientType } from '@redis/client';
import Keyv from 'keyv';

/** Where cached values live: Redis when a URL is given, else a bounded in-process LRU. */
export interface CacheStore {
  readonly kind: 'redis' | 'memory';
  readonly keyv: Keyv;
  /** Deletes every cached value (`<prefix>balance:*` but the generations), within `timeoutMs`. */
  flush(prefix: string, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface CacheStoreOptions {
  redisUrl?: string;
  /** Entries kept by the in-memory store before the least recently used go. */
  memoryMaxEntries?: number;
}

const DEFAULT_MEMORY_MAX_ENTRIES = 100_000;

/**
 * Builds the Keyv instance the cache reads and writes through. Both kinds store keys exactly as
 * given (no Keyv namespace prefix) and make every failure throw, because the cache must know
 * when an invalidation did not happen.
 */
export function createCacheStore(options: CacheStoreOptions = {}): CacheStore {
  if (options.redisUrl) return createRedisStore(options.redisUrl);
  // @cacheable/memory honours a TTL together with an LRU bound (Keyv over lru-cache silently
  // stores nothing when given a TTL) and skips Keyv's JSON round trip. It hands out the stored
  // object itself, not a clone: ReadThroughCache freezes every value it caches, so no caller
  // can change what another one reads.
  const keyv = createMemoryKeyv({
    lruSize: options.memoryMaxEntries ?? DEFAULT_MEMORY_MAX_ENTRIES,
    useClone: false,
  });
  keyv.throwOnErrors = true;
  return { kind: 'memory', keyv, flush: () => keyv.clear(), close: () => keyv.disconnect() };
}

function createRedisStore(url: string): CacheStore {
  const store = new KeyvRedis(
    {
      url,
      // While disconnected, fail commands at once instead of queueing them (the default
      // queues them until Redis returns, which is how calls hang for seconds).
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 1_000,
        // Keep trying to come back, but never more often than every 2 s.
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000),
      },
    },
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 1_000 },
  );
  const keyv = new Keyv({ store, useKeyPrefix: false, throwOnErrors: true });
  keyv.namespace = undefined;
  // Errors also arrive as events; without a listener an EventEmitter would throw them.
  store.on('error', () => {});
  keyv.on('error', () => {});
  const close = async () => {
    // A graceful close waits for replies a dead Redis will never send: give it a second.
    const closed = store.disconnect().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, 1_000, false).unref());
    if (!(await Promise.race([closed, timeout]))) await store.disconnect(true).catch(() => {});
  };
  const flush = async (prefix: string, timeoutMs: number) => {
    const work = async () => {
      // A single Redis, not a cluster: createRedisStore is only given a URL.
      const client = (await store.getClient()) as unknown as RedisClientType;
      for await (const keys of client.scanIterator({ MATCH: `${prefix}balance:*`, COUNT: 1000 })) {
        const values = (keys as string[]).filter((key) => !key.startsWith(`${prefix}balance:gen:`));
        if (values.length > 0) await client.unlink(values);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('cache flush timed out')), timeoutMs);
    });
    try {
      await Promise.race([work(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
  return { kind: 'redis', keyv, flush, close };
}
