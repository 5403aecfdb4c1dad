/**
 * `make bench`'s read-replica figures: cold reads by id through the HTTP API on a PostgreSQL
 * 15 primary of its own, once without and once with its streaming replica
 * (DATABASE_REPLICA_URLS), same data, same machine, same run, and how many of the second run's
 * database reads the replica served (from the server's own /metrics).
 *
 * Why a replica cannot be faster here: the primary, the replica, the API server and autocannon
 * share the same 2 cores, so the replica adds processes without adding CPU; and a miss that
 * uses it costs more round trips (the replay check before the SELECT, and for a generation
 * the reader creates, the primary's position first). A replica pays off when the primary's
 * own CPU or I/O is the bottleneck, on another machine.
 */
import { existsSync } from 'node:fs';
import { signToken } from '../auth/tokens.js';
import { replicaShare } from '../check/check-postgres.js';
import { PostgresWithReplica } from '../check/postgres-replica.js';
import { withDatabase } from '../db/database-server.js';
import { migrate } from '../db/migrations.js';
import { createPool } from '../db/pool.js';
import { seed } from '../dba/seed.js';
import { SECRET, startServer } from './http-level.js';
import { type HttpFigures, load } from './load.js';
import { sampleRows } from './query-level.js';
import { round } from './stats.js';

const BIN = process.env.POSTGRES_REPLICA_BIN || '/usr/lib/postgresql/15/bin';

export interface ReplicaFigures {
  figures: HttpFigures[];
  notes: string[];
}

/**
 * Runs both servers over `rows` seeded rows (at most 100,000: enough ids that each is read
 * about once, so every read is a miss). Undefined, with a note, when PostgreSQL 15's programs
 * are not installed.
 */
export async function benchReplica(options: {
  rows: number;
  durationSeconds: number;
  connections: number;
  log: (line: string) => void;
}): Promise<ReplicaFigures> {
  if (!existsSync(`${BIN}/pg_basebackup`))
    return { figures: [], notes: [`no PostgreSQL 15 programs at ${BIN}: replica figures skipped`] };
  const rows = Math.min(options.rows, 100_000);
  options.log(`read replica: a PostgreSQL 15 primary and replica, ${rows} rows`);
  const servers = await PostgresWithReplica.start();
  try {
    const admin = createPool(servers.primaryUrl());
    await admin.query('CREATE DATABASE bench_replica');
    await admin.end();
    const url = withDatabase(servers.primaryUrl(), 'bench_replica');
    await migrate(url, 'up');
    const pool = createPool(url, { statementTimeoutMillis: 10 * 60_000 });
    let ids: string[];
    try {
      await seed(pool, { rows, replace: true });
      ids = (await sampleRows(pool, rows)).map((row) => row.id);
    } finally {
      await pool.end();
    }
    await servers.waitForReplay(120_000);
    const token = await signToken({ userId: 'bench', role: 'admin' }, SECRET);
    const scenario = (name: string) => ({
      name,
      method: 'GET' as const,
      paths: ids.map((id) => `/v1/balances/${id}`),
      cursor: { next: 0 },
    });
    const figures: HttpFigures[] = [];
    let share = { replica: 0, primary: 0, fallbacks: {} as Record<string, number> };
    for (const withReplica of [false, true]) {
      const name = `balance by id, cold, PostgreSQL 15 ${withReplica ? 'with a replica' : 'primary only'}`;
      const server = await startServer(url, undefined, true, {
        DATABASE_REPLICA_URLS: withReplica ? servers.replicaUrl('bench_replica') : '',
        // Values live a second: with this many ids, a read finds its id uncached.
        CACHE_TTL_BY_ID_SECONDS: '1',
      });
      try {
        const baseline = await load(
          server.port,
          token,
          { name: 'baseline', method: 'GET', paths: ['/healthz'], cursor: { next: 0 } },
          options,
        );
        const cold = await load(server.port, token, scenario(name), options);
        figures.push({
          ...cold,
          ratioToBaseline: round(
            cold.requestsPerSecond / Math.max(1, baseline.requestsPerSecond),
            3,
          ),
        });
        if (withReplica) share = await replicaShare([`http://127.0.0.1:${server.port}`]);
      } finally {
        await server.stop();
      }
    }
    const total = share.replica + share.primary;
    return {
      figures,
      notes: [
        `read replica: the replica served ${share.replica} of ${total} database reads in the run with it (to the primary instead: ${JSON.stringify(share.fallbacks)}). On this machine the primary, the replica, the server and autocannon share the same cores, and a miss that uses the replica costs more round trips (its replay check, and for a generation the reader creates, the primary's position first), so a replica here cannot be faster; it pays off where the primary itself is the bottleneck.`,
      ],
    };
  } finally {
    await servers.remove();
  }
}
