/**
 * The breaker's deadline measures Redis, not this process: a reply that arrived in time but
 * could not be read while the process was busy (a long GC, large answers) is not a timeout.
 * Against a real Redis.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Breaker, CacheTimeoutError } from '../src/cache/breaker.js';
import { createRedisStore } from '../src/cache/redis-store.js';
import { silentLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { redisSkipReason, sharedRedisUrl, uniqueKeyPrefix } from './support/redis.js';

const redisSkip = await redisSkipReason();

/** Keeps this process busy, as a long GC or a large answer would. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe.skipIf(redisSkip !== undefined)('the cache breaker', () => {
  const store = createRedisStore(sharedRedisUrl);
  const key = `${uniqueKeyPrefix()}breaker`;
  afterAll(() => store.close());

  const breaker = () =>
    new Breaker({
      timeoutMs: 50,
      cooldownMs: 1_000,
      deadlines: true,
      metrics: createMetrics(),
      logger: silentLogger,
    });

  it('takes a reply that came in time though this process was busy past the deadline', async () => {
    await store.getMany([key]); // connected
    const subject = breaker();
    const call = subject.call('test', () => store.getMany([key]));
    busyFor(200); // Redis answers meanwhile; the deadline passes before the reply is read
    await expect(call).resolves.toMatchObject({ values: [undefined] });
    expect(subject.open).toBe(false);
  });

  it('still times out a call that gets no reply, and cools down', async () => {
    const subject = breaker();
    const never = new Promise<never>(() => {});
    await expect(subject.call('test', () => never)).rejects.toBeInstanceOf(CacheTimeoutError);
    expect(subject.open).toBe(true);
  });
});
