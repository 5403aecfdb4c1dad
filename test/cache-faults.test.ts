/**
 * Redis trouble must never break or stall a request, and must never let a stale balance out
 * once Redis is back. These tests run a redis-server of their own and kill it.
 */
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisProcess } from '../src/check/cluster.js';
import { createPool } from '../src/db/pool.js';
import { uniqueUserId } from './support/ids.js';
import { redisServerSkipReason, withClient } from './support/redis.js';
import { buildStack, metricValue } from './support/service.js';

const skip = await redisServerSkipReason();
const DEADLINE_MS = 50;
/** A write whose invalidation Redis refused waits one lease (the ledger's) before it returns. */
const LEASE_MS = 200;
/** Far above the deadline plus a query, far below the seconds a hung cache call takes. */
const ANSWER_WITHIN_MS = 1_000;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(skip !== undefined)('with Redis killed mid-test', () => {
  let redis: RedisProcess;
  let pool: pg.Pool;

  beforeAll(async () => {
    redis = await RedisProcess.start();
    pool = createPool(inject('databaseUrl'));
  });

  afterAll(async () => {
    await redis?.remove();
    await pool?.end();
  });

  it('reads answer from PostgreSQL in time, and nothing stale is served after Redis returns', async () => {
    const stack = buildStack({
      pool,
      kind: 'redis',
      redisUrl: redis.url,
      cache: { timeoutMs: DEADLINE_MS, cooldownMs: 1_000, retryIntervalMs: 100, leaseMs: LEASE_MS },
    });
    try {
      const { service, cache, metrics } = stack;
      const b = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '10' });
      await service.findById(b.id);
      await service.findByUserId(b.userId);
      expect((await service.findById(b.id))?.amount).toBe('10'); // a hit
      await withClient(redis.url, (client) => client.set('sentinel', 'kept'));

      await redis.stop(); // SIGKILL
      for (let i = 0; i < 5; i++) {
        const { value, ms } = await timed(() => service.findById(b.id));
        expect(value?.amount).toBe('10');
        expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
      }
      const { ms: writeMs } = await timed(() => service.credit(b.id, '5'));
      expect(writeMs).toBeLessThan(ANSWER_WITHIN_MS);
      expect(cache.health()).toMatchObject({ healthy: false, pendingInvalidations: 2 });
      expect((await service.findById(b.id))?.amount).toBe('15');
      expect((await service.findByUserId(b.userId)).items[0]?.amount).toBe('15');
      const failures =
        (await metricValue(metrics, 'balance_cache_error_total', 'findById')) +
        (await metricValue(metrics, 'balance_cache_timeout_total', 'findById'));
      expect(failures).toBeGreaterThan(0);

      // The append-only file brings back what was cached before the kill, amount 10 included.
      await redis.restart();
      expect(await withClient(redis.url, (client) => client.get('sentinel'))).toBe('kept');
      for (let i = 0; i < 20; i++) {
        expect((await service.findById(b.id))?.amount).toBe('15');
        expect((await service.findByUserId(b.userId)).items[0]?.amount).toBe('15');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await eventually(() => cache.health().pendingInvalidations === 0);
      await eventually(() => cache.health().healthy);
      const hitsBefore = await metricValue(metrics, 'balance_cache_hit_total', 'findById');
      expect((await service.findById(b.id))?.amount).toBe('15');
      expect((await service.findById(b.id))?.amount).toBe('15');
      expect(await metricValue(metrics, 'balance_cache_hit_total', 'findById')).toBeGreaterThan(
        hitsBefore,
      );
    } finally {
      await stack.close();
    }
  });

  it('a Redis that is down when the service starts costs a read no more than the deadline', async () => {
    await redis.stop(); // SIGKILL
    const stack = buildStack({
      pool,
      kind: 'redis',
      redisUrl: redis.url,
      cache: { timeoutMs: DEADLINE_MS, leaseMs: LEASE_MS },
    });
    try {
      const b = await stack.service.create({ userId: uniqueUserId(), tokenId: '1', amount: '1' });
      const { value, ms } = await timed(() => stack.service.findById(b.id));
      expect(value?.amount).toBe('1');
      expect(ms).toBeLessThan(ANSWER_WITHIN_MS);

      // For the record: how long the same read takes through @keyv/redis's defaults.
      const defaults = new Keyv({ store: new KeyvRedis(redis.url), useKeyPrefix: false });
      defaults.on('error', () => {});
      const plain = await timed(() =>
        Promise.race([
          defaults.get('balance:1').catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, 2_000)),
        ]),
      );
      const verdict = plain.ms >= 2_000 ? 'still pending when we gave up at' : 'answered in';
      console.log(
        `Redis down: @keyv/redis defaults ${verdict} ${Math.round(plain.ms)} ms; ours answered in ${Math.round(ms)} ms`,
      );
      await (defaults.store as KeyvRedis<unknown>).disconnect(true).catch(() => {});
    } finally {
      await stack.close().catch(() => {});
      await redis.restart();
    }
  });
});
