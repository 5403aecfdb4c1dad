/**
 * Redis for the tests: the one at REDIS_URL (default 127.0.0.1:6379); redis-server processes
 * of a test's own, which it can kill, are RedisProcess from src/check/cluster.ts. Where neither exists, the Redis tests skip with a
 * printed reason; under CI=true they fail instead, because CI must run them.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';

export const sharedRedisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Why the Redis tests cannot run here, or undefined when they can. Throws under CI. */
export async function redisSkipReason(): Promise<string | undefined> {
  const client = createClient({
    url: sharedRedisUrl,
    socket: { connectTimeout: 1_000, reconnectStrategy: false },
  });
  client.on('error', () => {});
  let reason: string | undefined;
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    reason = `no Redis at ${sharedRedisUrl} (${error instanceof Error ? error.message : error})`;
  } finally {
    await client.close().catch(() => {});
  }
  return skipOrFail(reason);
}

/** Why a test cannot start a redis-server of its own here, or undefined. Throws under CI. */
export function redisServerSkipReason(): Promise<string | undefined> {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return skipOrFail(found ? undefined : 'redis-server is not installed');
}

async function skipOrFail(reason: string | undefined): Promise<string | undefined> {
  if (reason && process.env.CI) throw new Error(`CI must run the Redis tests, but ${reason}`);
  if (reason) console.warn(`skipping Redis tests: ${reason}`);
  return reason;
}

/** A key prefix no other test run uses, so runs sharing one Redis never meet. */
export function uniqueKeyPrefix(): string {
  return `test-${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  await withClient(url, async (client) => {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  });
}

function connectOnce(url: string) {
  return createClient({ url, socket: { reconnectStrategy: false } });
}

export type RedisTestClient = ReturnType<typeof connectOnce>;

export async function withClient<T>(
  url: string,
  work: (client: RedisTestClient) => Promise<T>,
): Promise<T> {
  const client = connectOnce(url);
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.close().catch(() => {});
  }
}
