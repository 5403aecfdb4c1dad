/**
 * `make doctor`: src/dba/doctor.ts's checks on DATABASE_URL (or the embedded PostgreSQL) and
 * REDIS_URL or REDIS_CLUSTER_NODES when set. Exits 1 when any check fails.
 */
import { cacheConfigFromEnv } from '../config.js';
import { openDatabaseServer } from '../db/database-server.js';
import { createPool } from '../db/pool.js';
import { runDoctor } from '../dba/doctor.js';
import { runCli } from './run-cli.js';

runCli(async () => {
  const cache = cacheConfigFromEnv();
  const server = await openDatabaseServer();
  const pool = createPool(server.url, { max: 1, statementTimeoutMillis: 60_000 });
  try {
    const checks = await runDoctor({
      pool,
      databaseUrl: server.url,
      redisUrl: cache.redisUrl,
      redisClusterNodes: cache.redisClusterNodes,
      keyPrefix: cache.keyPrefix,
    });
    for (const check of checks) {
      console.log(`${check.verdict.padEnd(4)}  ${check.name}: ${check.detail}`);
      for (const line of check.lines ?? []) console.log(`        ${line}`);
      if (check.remedy && check.verdict !== 'OK') console.log(`        -> ${check.remedy}`);
    }
    const failed = checks.filter((check) => check.verdict === 'FAIL');
    if (failed.length > 0)
      throw new Error(`${failed.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}`);
  } finally {
    await pool.end();
    await server.stop();
  }
});
