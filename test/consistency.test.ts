/**
 * The consistency checker (make check-consistency): several API processes, one PostgreSQL and
 * one Redis of its own, concurrent clients and injected faults. It finds nothing wrong with the
 * service, and it does find a planted bug: writes that skip the cache invalidation. Under
 * `make test-pgbouncer` (TEST_PGBOUNCER=1) the API processes of the first run reach the check's
 * PostgreSQL through a PgBouncer of its own (CHECK_PG=pgbouncer); the checker's PostgreSQL is
 * its own either way, since its faults stop and restart it.
 */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/check/run-check.js';
import { redisServerSkipReason } from './support/redis.js';

const skip = await redisServerSkipReason();

describe.skipIf(skip !== undefined)('the consistency checker', () => {
  it('finds no anomaly under Redis (stall, restart from an older snapshot, read-only), PostgreSQL, process and pool faults', async () => {
    const report = await runCheck({
      durationMs: 20_000,
      processes: 3,
      clients: 10,
      balances: 4,
      faults: true,
      postgres: process.env.TEST_PGBOUNCER === '1' ? 'pgbouncer' : 'direct',
    });
    expect(report.faults.length).toBeGreaterThanOrEqual(10);
    expect(report.acknowledgedWrites).toBeGreaterThan(100);
    expect(report.acknowledgedTransfers).toBeGreaterThan(0);
    expect(report.anomalies).toEqual([]);
  }, 180_000);

  it('catches a planted bug: writes that skip the cache invalidation give stale reads', async () => {
    const report = await runCheck({
      durationMs: 6_000,
      processes: 2,
      clients: 6,
      balances: 2,
      faults: false,
      plantedBug: 'skip-invalidation',
      // The bug shows only through cache hits: on a loaded machine, calls past the service's
      // 50 ms deadline would open the breaker and turn reads into misses for a second each.
      cacheTimeoutMs: 1_000,
    });
    expect(report.anomalies.some((a) => a.check === 'no stale read')).toBe(true);
  }, 120_000);
});
