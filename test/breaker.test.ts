/**
 * The breaker's deadline measures Redis, not this process: a reply that arrived in time but
 * could not be read while the process was busy (a long GC, large answers) is not a timeout.
 * Against a real Redis.
 */
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Breaker, CacheTimeoutError } from '../src/cache/breaker.js';
import { silentLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { redisSkipReason, sharedRedisUrl } from './support/redis.js';

const redisSkip = await redisSkipReason();

/** Keeps this process busy, as a long GC or a large answer would. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe.skipIf(redisSkip !== undefined)('the cache breaker', () => {
  const breaker = () =>
    new Breaker({
      timeoutMs: 50,
      cooldownMs: 1_000,
      deadlines: true,
      metrics: createMetrics(),
      logger: silentLogger,
    });

  it('takes a reply that came in time though this process was busy past the deadline', async () => {
    // A plain socket, so the command is on the wire before the stall (node-redis writes on a
    // later tick): Redis answers during it, and the reply waits unread past the deadline.
    const { hostname, port } = new URL(sharedRedisUrl);
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    await once(socket, 'connect');
    try {
      const subject = breaker();
      const ping = () =>
        new Promise<string>((resolve) => {
          socket.once('data', (data) => resolve(data.toString()));
          socket.write('PING\r\n');
        });
      const call = subject.call('test', ping);
      busyFor(200);
      await expect(call).resolves.toBe('+PONG\r\n');
      expect(subject.open).toBe(false);
    } finally {
      socket.destroy();
    }
  });

  it('still times out a call that gets no reply, and cools down', async () => {
    const subject = breaker();
    const never = new Promise<never>(() => {});
    await expect(subject.call('test', () => never)).rejects.toBeInstanceOf(CacheTimeoutError);
    expect(subject.open).toBe(true);
  });
});
