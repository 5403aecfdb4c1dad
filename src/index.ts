/** The package's in-process API: the balance service and what it needs to be built. */

export { createCacheStore } from './cache/create-cache-store.js';
export { cacheKeys } from './cache/keys.js';
export { type CacheHealth, ReadThroughCache } from './cache/read-through-cache.js';
export { type CacheConfig, cacheConfigFromEnv } from './config.js';
export { openDatabaseServer } from './db/database-server.js';
export { migrate } from './db/migrations.js';
export { createPool } from './db/pool.js';
export * from './errors.js';
export type { Logger } from './logger.js';
export { createMetrics, type Metrics } from './metrics.js';
export type {
  Balance,
  BalanceEntry,
  EntryKind,
  Movement,
  Page,
  Transfer,
  TransferResult,
} from './service/balance.js';
export {
  type BalancePatch,
  BalanceService,
  type MovementOptions,
  type NewBalance,
  type UserBalanceList,
} from './service/balance-service.js';
export {
  CACHE_TTL_TABLE,
  type CacheTtls,
  DEFAULT_CACHE_TTLS,
  describeTtl,
} from './service/cache-ttls.js';
export { createBalanceService } from './service/create-balance-service.js';
export {
  DEFAULT_USER_BALANCES_LIMIT,
  MAX_USER_BALANCES_LIMIT,
} from './service/user-balance-list.js';
export { MAX_PAGE_SIZE } from './service/validate.js';
