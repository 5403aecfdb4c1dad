import type pg from 'pg';
import { createCacheStore } from '../cache/create-cache-store.js';
import { createPostgresLedger } from '../cache/invalidation-ledger.js';
import { ReadThroughCache } from '../cache/read-through-cache.js';
import type { CacheConfig } from '../config.js';
import { allowsNamedStatements, siblingPool } from '../db/pool.js';
import type { ReplicaRouter } from '../db/replica-router.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { BalanceService } from './balance-service.js';

export interface BalanceServiceStack {
  service: BalanceService;
  cache: ReadThroughCache;
  /** Closes the cache (and its Redis connection); the pool stays the caller's. */
  close(): Promise<void>;
}

/** Wires a BalanceService to a cache built from `config`, over a pool the caller owns. */
export function createBalanceService(deps: {
  pool: pg.Pool;
  config: CacheConfig;
  metrics: Metrics;
  logger: Logger;
  clock?: () => Date;
  logQueries?: boolean;
  namedStatements?: boolean;
  /** Read replicas (DATABASE_REPLICA_URLS); the caller owns and closes them. */
  replicas?: ReplicaRouter;
}): BalanceServiceStack {
  const { config, metrics, logger } = deps;
  // The ledger's polls decide whether this process may serve hits at all: they get a
  // connection of their own, so a pool saturated by requests (when the cache matters most)
  // never delays them past their lease.
  const ledgerPool =
    config.redisUrl || config.redisClusterNodes ? siblingPool(deps.pool, 1) : undefined;
  const store = createCacheStore({
    redisUrl: config.redisUrl,
    redisClusterNodes: config.redisClusterNodes,
    memoryMaxEntries: config.memoryMaxEntries,
  });
  const cache = new ReadThroughCache({
    store,
    metrics,
    logger,
    keyPrefix: config.keyPrefix,
    timeoutMs: config.timeoutMs,
    leaseMs: config.leaseMs,
    // Redis is shared by processes, so a refused invalidation must reach them another way.
    ledger: ledgerPool
      ? createPostgresLedger(
          ledgerPool,
          config.keyPrefix,
          deps.namedStatements ?? allowsNamedStatements(deps.pool),
        )
      : undefined,
    maxValueTtlMs: Math.max(...Object.values(config.ttls)),
    // With replicas, generations carry the primary's position (src/cache/generation-lsn.ts).
    primaryLsn: deps.replicas && (() => (deps.replicas as ReplicaRouter).primaryLsn()),
  });
  const service = new BalanceService({
    ...deps,
    cache,
    ttls: config.ttls,
    userBalancesLimit: config.userBalancesLimit,
  });
  return {
    service,
    cache,
    close: async () => {
      await cache.close();
      await ledgerPool?.end();
    },
  };
}
