import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, inject } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { redisSkipReason, sharedRedisUrl } from './redis.js';
import { buildStack, type CacheKind, type TestStack } from './service.js';

const redisSkip = await redisSkipReason();

export interface CacheContext {
  kind: CacheKind;
  pool: pg.Pool;
  /** A fresh stack (and key prefix) for each test. */
  stack: TestStack;
  redisUrl: string;
}

/**
 * Runs `body` with each cache kind (the in-memory store and the shared Redis), each test on a
 * fresh service and key prefix over one pool into the run's database.
 */
export function describeEachCache(
  name: string,
  body: (context: () => CacheContext) => void,
  kinds: CacheKind[] = ['memory', 'redis'],
): void {
  describe.each(kinds)(`${name} (%s cache)`, (kind) => {
    describe.skipIf(kind === 'redis' && redisSkip !== undefined)('', () => {
      let pool: pg.Pool;
      let stack: TestStack;
      beforeAll(() => {
        pool = createPool(inject('databaseUrl'), { max: 60 });
      });
      afterAll(async () => {
        await pool?.end();
      });
      beforeEach(() => {
        stack = buildStack({ pool, kind, redisUrl: sharedRedisUrl });
      });
      afterEach(async () => {
        await stack?.close();
      });
      body(() => ({ kind, pool, stack, redisUrl: sharedRedisUrl }));
    });
  });
}
