/**
 * Query level, the original Balance model's benchmark-balance-queries: each cached service
 * method timed cold (its keys just invalidated, so a guaranteed miss: cache lookup, then
 * PostgreSQL, then the store) and warm (a guaranteed hit: the cache alone), with each cache kind.
 */
import type pg from 'pg';
import { createCacheStore } from '../cache/create-cache-store.js';
import { createPostgresLedger } from '../cache/invalidation-ledger.js';
import { keysWrittenBy } from '../cache/keys.js';
import { ReadThroughCache } from '../cache/read-through-cache.js';
import { flushPrefix } from '../dba/cache-admin.js';
import { silentLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { BalanceService } from '../service/balance-service.js';
import { DEFAULT_CACHE_TTLS } from '../service/cache-ttls.js';
import { type Latency, latency, round, timeEach } from './stats.js';

export interface SampleRow {
  id: string;
  userId: string;
  tokenId: string;
}

export interface QueryFigures {
  query: string;
  cache: 'memory' | 'redis';
  cold: Latency;
  warm: Latency;
  /** cold p50 / warm p50. */
  speedup: number;
}

const QUERIES: [string, (service: BalanceService, row: SampleRow) => Promise<unknown>][] = [
  ['findById', (s, r) => s.findById(r.id)],
  ['findByUserId', (s, r) => s.findByUserId(r.userId)],
  ['findByUserIdAndTokenId', (s, r) => s.findByUserIdAndTokenId(r.userId, r.tokenId)],
  ['totalBalanceByUser', (s, r) => s.totalBalanceByUser(r.userId)],
];

/**
 * One balance each of users spread evenly over all users: typical users (most hold a few
 * balances), not the few that hold thousands, and no two samples sharing a key.
 */
export async function sampleRows(pool: pg.Pool, count: number): Promise<SampleRow[]> {
  const { rows } = await pool.query<{ id: string; user_id: string; token_id: string }>(
    `SELECT DISTINCT ON (user_id) id, user_id, token_id
     FROM balances
     WHERE user_id % greatest(1, (SELECT max(user_id) FROM balances) / $1) = 0
     ORDER BY user_id, id
     LIMIT $1`,
    [count],
  );
  return rows.map((row) => ({ id: row.id, userId: row.user_id, tokenId: row.token_id }));
}

/**
 * Up to `count` balances of distinct users, in random order: a cold HTTP scenario cycles
 * through them, so as long as it sends fewer requests than this, no key is read twice and every
 * read is a real miss (the figure records both counts).
 */
export async function coldRows(pool: pg.Pool, count: number): Promise<SampleRow[]> {
  const { rows } = await pool.query<{ id: string; user_id: string; token_id: string }>(
    `SELECT id, user_id, token_id
     FROM (SELECT DISTINCT ON (user_id) id, user_id, token_id FROM balances ORDER BY user_id, id) AS one_per_user
     ORDER BY random()
     LIMIT $1`,
    [count],
  );
  return rows.map((row) => ({ id: row.id, userId: row.user_id, tokenId: row.token_id }));
}

/**
 * Up to `count` balance ids in random order, for the cold read by id: its keys are the
 * balance's own, so unlike the per-user scenarios it can draw on every balance, not one a user.
 */
export async function coldBalanceIds(pool: pg.Pool, count: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    'SELECT id FROM balances ORDER BY random() LIMIT $1',
    [count],
  );
  return rows.map((row) => row.id);
}

export async function benchQueries(options: {
  pool: pg.Pool;
  cache: 'memory' | 'redis';
  redisUrl?: string;
  rows: SampleRow[];
}): Promise<QueryFigures[]> {
  const metrics = createMetrics();
  const store = createCacheStore({
    redisUrl: options.cache === 'redis' ? options.redisUrl : undefined,
  });
  const keyPrefix = `bench-${process.pid}:`;
  const cache = new ReadThroughCache({
    store,
    metrics,
    logger: silentLogger,
    keyPrefix,
    maxValueTtlMs: DEFAULT_CACHE_TTLS.byIdMs,
    // This measures hits, not the breaker: one call slowed past the service's 50 ms deadline
    // by a busy machine would open it and turn the following reads into misses.
    timeoutMs: 1_000,
    // As the service runs with Redis: reads consult the lease of the invalidation ledger.
    ledger: options.cache === 'redis' ? createPostgresLedger(options.pool, keyPrefix) : undefined,
  });
  const service = new BalanceService({ pool: options.pool, cache, metrics, logger: silentLogger });
  const figures: QueryFigures[] = [];
  try {
    for (const [query, read] of QUERIES) {
      await timeEach(options.rows.slice(0, 50), (row) => read(service, row)); // warm up connections
      const coldSamples: number[] = [];
      for (const row of options.rows) {
        await cache.invalidate(keysWrittenBy(row));
        const started = performance.now();
        await read(service, row);
        coldSamples.push(performance.now() - started);
      }
      const warmSamples = await timeEach(options.rows, (row) => read(service, row));
      const coldLatency = latency(coldSamples);
      const warmLatency = latency(warmSamples);
      figures.push({
        query,
        cache: options.cache,
        cold: coldLatency,
        warm: warmLatency,
        speedup: round(coldLatency.p50 / Math.max(warmLatency.p50, 1e-6), 1),
      });
    }
    const hits = (await metrics.cacheHits.get()).values.reduce((sum, v) => sum + v.value, 0);
    if (hits < options.rows.length * QUERIES.length) {
      const failed = async (metric: typeof metrics.cacheErrors) =>
        (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
      throw new Error(
        `warm reads were not all hits (${hits} hits; cache errors ${await failed(metrics.cacheErrors)}, timeouts ${await failed(metrics.cacheTimeouts)}): the figures would be wrong`,
      );
    }
  } finally {
    await cache.close();
    if (options.cache === 'redis' && options.redisUrl) {
      await flushPrefix(options.redisUrl, keyPrefix);
    }
  }
  return figures;
}
