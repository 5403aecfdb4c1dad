/**
 * `make cache-stats` and `make cache-flush` (src/dba/cache-admin.ts) on the shared Redis: keys
 * counted by kind under one prefix, and a flush that deletes that prefix's keys and no other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminRedis,
  cacheKeyStats,
  flushCacheKeys,
  keyKind,
  keyspaceHitRate,
  openAdminRedis,
} from '../src/dba/cache-admin.js';
import { deleteKeys, redisSkipReason, sharedRedisUrl, uniqueKeyPrefix } from './support/redis.js';

const redisSkip = await redisSkipReason();

describe('keyKind and keyspaceHitRate', () => {
  it('name each key shape the service writes, and other', () => {
    expect(
      [
        'balance:gen:7',
        'balance:gen:user:42',
        'balance:epoch',
        'balance:user:42:total',
        'balance:user:42:token:3',
        'balance:user:42',
        'balance:7',
        'balance:lock:7',
      ].map(keyKind),
    ).toEqual([
      'generation',
      'generation',
      'epoch',
      'total by user',
      'by user and token',
      'by user',
      'by id',
      'other',
    ]);
  });

  it('gives the hit rate to one decimal, or says there were no reads', () => {
    expect(keyspaceHitRate({ keyspace_hits: '2', keyspace_misses: '1' })).toBe('66.7%');
    expect(keyspaceHitRate({})).toBe('no reads yet');
  });
});

describe.skipIf(redisSkip !== undefined)('on Redis', () => {
  const prefix = uniqueKeyPrefix();
  const neighbour = uniqueKeyPrefix();
  let client: AdminRedis;

  beforeAll(async () => {
    client = await openAdminRedis(sharedRedisUrl);
    for (const key of ['balance:1', 'balance:2', 'balance:user:9', 'balance:user:9:total'])
      await client.set(prefix + key, '{}', { EX: 60 });
    await client.set(`${prefix}balance:gen:1`, '1');
    await client.set(`${prefix}balance:epoch`, 'run/1');
    await client.set(`${neighbour}balance:1`, '{}', { EX: 60 });
  });

  afterAll(async () => {
    await client?.close();
    await deleteKeys(sharedRedisUrl, prefix);
    await deleteKeys(sharedRedisUrl, neighbour);
  });

  it('counts a prefix’s keys by kind and samples the values’ TTLs', async () => {
    const stats = await cacheKeyStats(client, prefix);
    expect(stats.pattern).toBe(`${prefix}balance:*`);
    expect(stats.total).toBe(6);
    expect(Object.fromEntries(stats.byKind)).toEqual({
      generation: 1,
      epoch: 1,
      'total by user': 1,
      'by user and token': 0,
      'by user': 1,
      'by id': 2,
      other: 0,
    });
    expect(stats.sample).toHaveLength(4);
    for (const line of stats.sample) {
      const [, key, ttl] = /^(\S+) {2}ttl (\d+) s$/.exec(line) ?? [];
      expect(key?.startsWith(`${prefix}balance:`), line).toBe(true);
      expect(Number(ttl), line).toBeGreaterThan(50);
      expect(Number(ttl), line).toBeLessThanOrEqual(60);
    }
  });

  it('flushes the prefix’s keys and leaves other prefixes alone', async () => {
    expect(await flushCacheKeys(client, prefix)).toBe(6);
    expect((await cacheKeyStats(client, prefix)).total).toBe(0);
    expect(await client.exists(`${neighbour}balance:1`)).toBe(1);
  });
});
