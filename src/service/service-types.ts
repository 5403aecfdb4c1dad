/** What BalanceService is built from and what its writes take. */
import type pg from 'pg';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** The seed's TTLs: by id 5 min, by user 1 min, user+token 5 min, total 2 min. */
export interface CacheTtls {
  byIdMs: number;
  byUserMs: number;
  byUserAndTokenMs: number;
  totalByUserMs: number;
}

export const SEED_CACHE_TTLS: CacheTtls = {
  byIdMs: 5 * 60_000,
  byUserMs: 60_000,
  byUserAndTokenMs: 5 * 60_000,
  totalByUserMs: 2 * 60_000,
};

export interface BalanceServiceDeps {
  pool: pg.Pool;
  cache: ReadThroughCache;
  metrics: Metrics;
  logger: Logger;
  /** The time, for the idempotency-key retention; injectable for tests. */
  clock?: () => Date;
  ttls?: CacheTtls;
  /** Log every statement with its name, duration and row count (the seed's `debug: true`). */
  logQueries?: boolean;
  /** Prepare each statement once per connection (default); off for transaction-mode poolers. */
  namedStatements?: boolean;
}

export interface NewBalance {
  userId: string;
  tokenId: string;
  /** Defaults to "0". */
  amount?: string;
  /** Defaults to "0". */
  usdValue?: string;
  address?: string | null;
  autoConvertThreshold?: string | null;
}

/** Fields to change; a field left out keeps its value, `null` clears a nullable one. */
export interface BalancePatch {
  amount?: string;
  usdValue?: string;
  address?: string | null;
  autoConvertThreshold?: string | null;
}

export interface MovementOptions {
  /** A repeat with the same key and request returns the first result and moves nothing. */
  idempotencyKey?: string;
}

/** Idempotency keys are kept at least this long. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60_000;
