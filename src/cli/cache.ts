/**
 * `make cache-flush` and `make cache-stats` (src/dba/cache-admin.ts) on REDIS_URL, under
 * CACHE_KEY_PREFIX.
 *
 *   node dist/cli/cache.js flush | stats
 */
import { cacheConfigFromEnv } from '../config.js';
import {
  cacheKeyStats,
  flushCacheKeys,
  keyspaceHitRate,
  openAdminRedis,
  redisInfo,
} from '../dba/cache-admin.js';
import { runCli } from './run-cli.js';

runCli(async ([command]) => {
  if (command !== 'flush' && command !== 'stats') throw new Error('usage: cache.js flush | stats');
  const { redisUrl, keyPrefix } = cacheConfigFromEnv();
  if (!redisUrl) {
    console.log(
      'no REDIS_URL: the cache lives in each service process; restarting the service empties it',
    );
    return;
  }
  const client = await openAdminRedis(redisUrl);
  try {
    if (command === 'flush') {
      const deleted = await flushCacheKeys(client, keyPrefix);
      console.log(`deleted ${deleted} keys matching ${keyPrefix}balance:* on ${redisUrl}`);
      return;
    }
    const stats = await cacheKeyStats(client, keyPrefix);
    const info = await redisInfo(client, 'stats', 'memory');
    console.log(`${redisUrl}, keys matching ${stats.pattern}:`);
    for (const [kind, count] of stats.byKind) console.log(`  ${kind.padEnd(18)} ${count}`);
    console.log('sample TTLs:');
    for (const line of stats.sample) console.log(`  ${line}`);
    console.log(
      `hit rate (server-wide keyspace hits / lookups): ${keyspaceHitRate(info)}; memory used: ${info.used_memory_human ?? '?'}`,
    );
    console.log(
      'per-query hit and miss counts: GET /metrics (balance_cache_hit_total, balance_cache_miss_total)',
    );
  } finally {
    await client.close().catch(() => {});
  }
});
