/**
 * The consistency checker (make check-consistency): several API processes, one PostgreSQL and
 * one Redis of its own, concurrent clients and injected faults. It finds nothing wrong with the
 * service, and it does find a planted bug: writes that skip the cache invalidation. Under
 * `make test-pgbouncer` (TEST_PGBOUNCER=1) the API processes of the first run reach the check's
 * PostgreSQL through a PgBouncer of its own (CHECK_PG=pgbouncer); the checker's PostgreSQL is
 * its own either way, since its faults stop and restart it.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/check/run-check.js';
import { redisServerSkipReason } from './support/redis.js';

const skip = await redisServerSkipReason();
/** The replica mode needs Debian's PostgreSQL 15 programs (src/check/postgres-replica.ts). */
const noReplica =
  !existsSync('/usr/lib/postgresql/15/bin/pg_basebackup') && !process.env.POSTGRES_REPLICA_BIN;
if (noReplica && process.env.CI) throw new Error('CI must run the replica check');

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

  it.skipIf(noReplica)(
    'with a read replica 300 ms behind: no anomaly, and a client reading the replica unchecked is caught',
    async () => {
      const options = {
        durationMs: 6_000,
        processes: 2,
        clients: 6,
        balances: 2,
        faults: false,
        postgres: 'replica' as const,
        cacheTimeoutMs: 1_000,
      };
      const clean = await runCheck(options);
      expect(clean.anomalies).toEqual([]);
      // Database reads were routed and counted (how many the replica served depends on the
      // lag against two balances written nonstop: make check-consistency reports the share).
      const share = clean.replicaShare;
      expect((share?.replica ?? 0) + (share?.primary ?? 0)).toBeGreaterThan(0);
      const planted = await runCheck({ ...options, plantedBug: 'unchecked-replica-reads' });
      expect(
        planted.anomalies.some(
          (a) => a.check === 'no stale read' && a.detail.includes('replica-unchecked'),
        ),
      ).toBe(true);
    },
    180_000,
  );
});
