import type pg from 'pg';
import type { CacheStore } from '../../src/cache/cache-store.js';
import { createCacheStore } from '../../src/cache/create-cache-store.js';
import { createPostgresLedger } from '../../src/cache/invalidation-ledger.js';
import {
  ReadThroughCache,
  type ReadThroughCacheOptions,
} from '../../src/cache/read-through-cache.js';
import type { RedisNode } from '../../src/config.js';
import type { ReplicaRouter } from '../../src/db/replica-router.js';
import { silentLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { BalanceService } from '../../src/service/balance-service.js';
import { type CacheTtls, DEFAULT_CACHE_TTLS } from '../../src/service/cache-ttls.js';
import { deleteKeys, uniqueKeyPrefix } from './redis.js';

export type CacheKind = 'memory' | 'redis';

export interface TestStack {
  service: BalanceService;
  cache: ReadThroughCache;
  metrics: Metrics;
  keyPrefix: string;
  close(): Promise<void>;
}

/**
 * A BalanceService over a real pool and a real cache (Redis at `redisUrl`, or memory), with a
 * key prefix of its own; close() deletes the prefix's keys.
 */
export function buildStack(options: {
  pool: pg.Pool;
  kind: CacheKind;
  redisUrl?: string;
  /** A Redis Cluster's seed nodes instead of `redisUrl` (its keys are left: the test removes the cluster). */
  redisClusterNodes?: RedisNode[];
  /** Wraps the real store, e.g. to order a lookup's per-slot reads around a write. */
  wrapStore?: (store: CacheStore) => CacheStore;
  ttls?: CacheTtls;
  clock?: () => Date;
  cache?: Partial<ReadThroughCacheOptions>;
  /** Share a prefix to make two stacks look like two processes on one Redis. */
  keyPrefix?: string;
  /** Most balances findByUserId answers (USER_BALANCES_LIMIT); small to test the bound. */
  userBalancesLimit?: number;
  /** Read replicas, built on the stack's metrics; generations then carry LSNs. */
  replicas?: (metrics: Metrics) => ReplicaRouter;
}): TestStack {
  const metrics = createMetrics();
  const replicas = options.replicas?.(metrics);
  const keyPrefix = options.keyPrefix ?? uniqueKeyPrefix();
  const ttls = options.ttls ?? DEFAULT_CACHE_TTLS;
  const created = createCacheStore({
    redisUrl: options.kind === 'redis' ? options.redisUrl : undefined,
    redisClusterNodes: options.kind === 'redis' ? options.redisClusterNodes : undefined,
  });
  const store = options.wrapStore ? options.wrapStore(created) : created;
  const cache = new ReadThroughCache({
    store,
    metrics,
    logger: silentLogger,
    keyPrefix,
    maxValueTtlMs: Math.max(...Object.values(ttls)),
    ledger: options.kind === 'redis' ? createPostgresLedger(options.pool, keyPrefix) : undefined,
    primaryLsn: replicas && (() => replicas.primaryLsn()),
    ...options.cache,
  });
  const service = new BalanceService({
    pool: options.pool,
    cache,
    metrics,
    logger: silentLogger,
    clock: options.clock,
    ttls,
    userBalancesLimit: options.userBalancesLimit,
    replicas,
  });
  return {
    service,
    cache,
    metrics,
    keyPrefix,
    close: async () => {
      await cache.close();
      await replicas?.end();
      if (options.kind === 'redis' && options.redisUrl)
        await deleteKeys(options.redisUrl, keyPrefix);
    },
  };
}

/** The value of a counter or a histogram's count for one query label. */
export async function metricValue(metrics: Metrics, name: string, query: string): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const wanted = name.endsWith('_seconds') ? `${name}_count` : name;
  return values
    .filter(
      (v) =>
        v.labels.query === query && ((v as { metricName?: string }).metricName ?? name) === wanted,
    )
    .reduce((sum, v) => sum + v.value, 0);
}

/**
 * A real pool whose next query matching `pattern` reaches PostgreSQL and gets its answer, then
 * waits for release() before handing it back: a read paused between its database read and its
 * cache store. Nothing else about the pool changes.
 */
export function pauseNextQuery(pool: pg.Pool, pattern: RegExp) {
  let reached!: () => void;
  let release!: () => void;
  const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let armed = true;
  const paused = new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<pg.Pool['query']>) => {
        const result = await (target.query as (...a: unknown[]) => Promise<unknown>)(...args);
        const [first] = args as unknown[];
        const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
        if (armed && pattern.test(text)) {
          armed = false;
          reached();
          await released;
        }
        return result;
      };
    },
  });
  return { pool: paused, reached: reachedPromise, release };
}
