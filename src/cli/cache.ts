/**
 * `make cache-flush` and `make cache-stats`: the seed's "Cache Not Working" and "Stale Cache
 * Data" runbook steps, on REDIS_URL, by SCAN (never KEYS, which blocks Redis).
 *
 *   node dist/cli/cache.js flush | stats
 */
import { createClient } from '@redis/client';
import { flushCacheKeys } from '../cache/flush.js';
import { cacheConfigFromEnv } from '../config.js';
import { runCli } from './run-cli.js';

const KINDS: [string, RegExp][] = [
  ['generation', /balance:gen:/],
  ['epoch', /^balance:epoch$/],
  ['total by user', /^balance:user:\d+:total$/],
  ['by user and token', /^balance:user:\d+:token:\d+$/],
  ['by user', /^balance:user:\d+$/],
  ['by id', /^balance:\d+$/],
];

runCli(async ([command]) => {
  if (command !== 'flush' && command !== 'stats') throw new Error('usage: cache.js flush | stats');
  const { redisUrl, keyPrefix } = cacheConfigFromEnv();
  if (!redisUrl) {
    console.log(
      'no REDIS_URL: the cache lives in each service process; restarting the service empties it',
    );
    return;
  }
  const client = createClient({
    url: redisUrl,
    socket: { connectTimeout: 2_000, reconnectStrategy: false },
  });
  client.on('error', () => {});
  await client.connect();
  try {
    const pattern = `${keyPrefix}balance:*`;
    if (command === 'flush') {
      const deleted = await flushCacheKeys(client, keyPrefix);
      console.log(`deleted ${deleted} keys matching ${pattern} on ${redisUrl}`);
      return;
    }
    const counts = new Map<string, number>();
    const ttls: string[] = [];
    for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
      for (const key of keys) {
        const bare = key.slice(keyPrefix.length);
        const kind = KINDS.find(([, shape]) => shape.test(bare))?.[0] ?? 'other';
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
        if (ttls.length < 5 && kind !== 'generation')
          ttls.push(`${key}  ttl ${await client.ttl(key)} s`);
      }
    }
    const info = Object.fromEntries(
      `${await client.info('stats')}\r\n${await client.info('memory')}`
        .split('\r\n')
        .map((line) => line.split(':'))
        .filter((parts) => parts.length === 2),
    );
    const hits = Number(info.keyspace_hits ?? 0);
    const misses = Number(info.keyspace_misses ?? 0);
    console.log(`${redisUrl}, keys matching ${pattern}:`);
    for (const [kind] of [...KINDS, ['other']])
      console.log(`  ${kind.padEnd(18)} ${counts.get(kind) ?? 0}`);
    console.log('sample TTLs:');
    for (const line of ttls) console.log(`  ${line}`);
    const rate =
      hits + misses === 0 ? 'no reads yet' : `${((100 * hits) / (hits + misses)).toFixed(1)}%`;
    console.log(
      `hit rate (server-wide keyspace hits / lookups): ${rate}; memory used: ${info.used_memory_human ?? '?'}`,
    );
    console.log(
      'per-query hit and miss counts: GET /metrics (balance_cache_hit_total, balance_cache_miss_total)',
    );
  } finally {
    await client.close().catch(() => {});
  }
});
