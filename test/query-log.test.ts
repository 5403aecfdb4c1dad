/**
 * LOG_SQL's switch: every statement logged with its name, duration and row count.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCacheStore } from '../src/cache/create-cache-store.js';
import { ReadThroughCache } from '../src/cache/read-through-cache.js';
import { createPool } from '../src/db/pool.js';
import { type Logger, silentLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { BalanceService } from '../src/service/balance-service.js';
import { uniqueUserId } from './support/ids.js';

describe('query logging', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = createPool(inject('databaseUrl'));
  });
  afterAll(async () => {
    await pool?.end();
  });

  function serviceLoggingTo(lines: object[], logQueries: boolean) {
    const metrics = createMetrics();
    const logger: Logger = {
      ...silentLogger,
      info: (fields, message) => lines.push({ ...fields, message }),
    };
    const cache = new ReadThroughCache({
      store: createCacheStore(),
      metrics,
      logger: silentLogger,
      maxValueTtlMs: 1_000,
    });
    return new BalanceService({ pool, cache, metrics, logger, logQueries });
  }

  it('logs each statement with its name, duration and rows when switched on, and nothing when off', async () => {
    const lines: object[] = [];
    const service = serviceLoggingTo(lines, true);
    const userId = uniqueUserId();
    await service.create({ userId, tokenId: '1' });
    await service.getByUser(userId, 10, 0);
    expect(lines).toEqual([
      { query: 'create', ms: expect.any(Number), rows: 1, message: 'sql' },
      { query: 'getByUser', ms: expect.any(Number), rows: 1, message: 'sql' },
    ]);

    const quiet: object[] = [];
    await serviceLoggingTo(quiet, false).getByUser(userId, 10, 0);
    expect(quiet).toEqual([]);
  });
});
