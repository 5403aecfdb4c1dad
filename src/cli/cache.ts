/**
 * `make cache-flush` and `make cache-stats` (src/dba/cache-admin.ts) on REDIS_URL, or on
 * every master of REDIS_CLUSTER_NODES, under CACHE_KEY_PREFIX.
 *
 *   node dist/cli/cache.js flush | stats
 */
import { cacheConfigFromEnv } from '../config.js';
import {
  flushTarget,
  keyspaceHitRate,
  openAdminTarget,
  targetInfo,
  targetKeyStats,
} from '../dba/cache-admin.js';
import { runCli } from './run-cli.js';

runCli(async ([command]) => {
  if (command !== 'flush' && command !== 'stats') throw new Error('usage: cache.js flush | stats');
  const { redisUrl, redisClusterNodes, keyPrefix } = cacheConfigFromEnv();
  if (!redisUrl && !redisClusterNodes) {
    console.log(
      'no REDIS_URL nor REDIS_CLUSTER_NODES: the cache lives in each service process; restarting the service empties it',
    );
    return;
  }
  const target = await openAdminTarget({ redisUrl, clusterNodes: redisClusterNodes });
  try {
    if (command === 'flush') {
      const deleted = await flushTarget(target, keyPrefix);
      console.log(`deleted ${deleted} keys matching ${keyPrefix}balance:* on ${target.where}`);
      return;
    }
    const stats = await targetKeyStats(target, keyPrefix);
    const info = await targetInfo(target, 'stats', 'memory');
    console.log(`${target.where}, keys matching ${stats.pattern}:`);
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
    await target.close();
  }
});
