/**
 * `make doctor`: the original Balance model's troubleshooting list as one command. Each check says OK, WARN (worth
 * a look, not broken) or FAIL (broken), and what to run about it.
 */
import type pg from 'pg';
import type { RedisNode } from '../config.js';
import { migrationStatus } from '../db/migrations.js';
import {
  type AdminTarget,
  keyspaceHitRate,
  openAdminTarget,
  targetInfo,
  targetKeyStats,
} from './cache-admin.js';
import { readSqlFiles } from './sql-files.js';

export type Verdict = 'OK' | 'WARN' | 'FAIL';

export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
  /** What to run about it, when it is not OK. */
  remedy?: string;
  /** Further lines: a table, a sample. */
  lines?: string[];
}

export interface DoctorOptions {
  pool: pg.Pool;
  databaseUrl: string;
  redisUrl?: string;
  /** A Redis Cluster's seed nodes: every master is checked. */
  redisClusterNodes?: RedisNode[];
  keyPrefix?: string;
}

export async function runDoctor(options: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [
    await checkMigrations(options.databaseUrl),
    ...(await checkIndexes(options.pool)),
    await checkJournal(options.pool),
    await checkStatements(options.pool),
  ];
  if (options.redisUrl || options.redisClusterNodes)
    checks.push(
      ...(await checkRedis(
        { redisUrl: options.redisUrl, clusterNodes: options.redisClusterNodes },
        options.keyPrefix ?? '',
      )),
    );
  else
    checks.push({
      name: 'cache',
      verdict: 'OK',
      detail: 'in memory, inside each service process (no REDIS_URL); its hit rate is on /metrics',
    });
  return checks;
}

async function checkMigrations(databaseUrl: string): Promise<Check> {
  const states = await migrationStatus(databaseUrl);
  const pending = states.filter((state) => !state.appliedAt).map((state) => state.name);
  return pending.length === 0
    ? { name: 'migrations', verdict: 'OK', detail: `${states.length} applied, none pending` }
    : {
        name: 'migrations',
        verdict: 'FAIL',
        detail: `${pending.length} pending: ${pending.join(', ')}`,
        remedy: 'make migrate',
      };
}

async function checkIndexes(pool: pg.Pool): Promise<Check[]> {
  const declared = new Map<string, string[]>();
  for (const { path, header } of readSqlFiles()) {
    const index = header.index.name;
    declared.set(index, [...(declared.get(index) ?? []), path]);
  }
  const { rows } = await pool.query<{
    name: string;
    valid: boolean;
    constraint: boolean;
    scans: string;
    size: string;
  }>(`
    SELECT i.relname AS name, x.indisvalid AS valid, coalesce(s.idx_scan, 0) AS scans,
           EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = x.indexrelid) AS constraint,
           pg_size_pretty(pg_relation_size(i.oid)) AS size
    FROM pg_index AS x
    JOIN pg_class AS i ON i.oid = x.indexrelid
    JOIN pg_namespace AS n ON n.oid = i.relnamespace
    LEFT JOIN pg_stat_user_indexes AS s ON s.indexrelid = x.indexrelid
    WHERE n.nspname = current_schema() AND i.relname NOT LIKE 'pgmigrations%'
    ORDER BY i.relname`);
  const present = new Map(rows.map((row) => [row.name, row]));
  const missing = [...declared.keys()].filter((name) => !present.get(name));
  const invalid = [...declared.keys()].filter((name) => present.get(name)?.valid === false);
  // An index backing a key constraint earns its keep even when no query names it.
  const undeclared = rows
    .filter((row) => !declared.has(row.name) && !row.constraint)
    .map((row) => row.name);
  const usage = rows.map(
    (row) => `${row.name.padEnd(30)} ${String(row.scans).padStart(10)} scans  ${row.size}`,
  );
  const checks: Check[] = [];
  if (missing.length || invalid.length) {
    checks.push({
      name: 'indexes',
      verdict: 'FAIL',
      detail: [
        ...missing.map(
          (name) => `${name} is missing (declared by ${declared.get(name)?.join(', ')})`,
        ),
        ...invalid.map((name) => `${name} is invalid (a failed CREATE INDEX CONCURRENTLY?)`),
      ].join('; '),
      remedy:
        'check make migrate-status; rebuild with REINDEX INDEX CONCURRENTLY or a new migration',
    });
  } else {
    checks.push({
      name: 'indexes',
      verdict: 'OK',
      detail: `all ${declared.size} indexes the SQL files declare exist and are valid`,
    });
  }
  checks.push({
    name: 'index usage',
    verdict: undeclared.length ? 'WARN' : 'OK',
    detail: undeclared.length
      ? `no SQL file declares ${undeclared.join(', ')}: each still costs every write`
      : 'every index serves a declared query or a key constraint',
    lines: usage,
  });
  return checks;
}

async function checkJournal(pool: pg.Pool): Promise<Check> {
  // Closed (deleted) balances keep their row and journal, so they are checked too.
  const { rows } = await pool.query<{ id: string; amount: string; journal: string }>(`
    SELECT b.id, b.amount, coalesce(e.total, 0) AS journal
    FROM balances AS b
    -- Debits are journaled as positive amounts of kind 'debit': they count negatively.
    LEFT JOIN (SELECT balance_id, sum(CASE kind WHEN 'debit' THEN -amount ELSE amount END) AS total
               FROM balance_entries GROUP BY balance_id) AS e
      ON e.balance_id = b.id
    WHERE b.amount <> coalesce(e.total, 0)
    ORDER BY b.id
    LIMIT 20`);
  return rows.length === 0
    ? {
        name: 'journal',
        verdict: 'OK',
        detail: 'every balance, open or closed, equals the sum of its journal',
      }
    : {
        name: 'journal',
        verdict: 'FAIL',
        detail: `${rows.length === 20 ? 'at least 20' : rows.length} balances disagree with their journal`,
        remedy:
          'investigate writes that bypassed the service (the original Balance model: "don\'t bypass the model layer")',
        lines: rows.map(
          (row) => `balance ${row.id}: amount ${row.amount}, journal sums to ${row.journal}`,
        ),
      };
}

async function checkStatements(pool: pg.Pool): Promise<Check> {
  try {
    const { rows } = await pool.query<{ calls: string; mean: string; query: string }>(`
      SELECT calls, round(mean_exec_time::numeric, 3) AS mean, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
      FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC
      LIMIT 5`);
    return {
      name: 'top statements',
      verdict: 'OK',
      detail: 'pg_stat_statements, by total time',
      lines: rows.map(
        (row) =>
          `${String(row.calls).padStart(9)} calls  ${String(row.mean).padStart(9)} ms  ${row.query}`,
      ),
    };
  } catch {
    return {
      name: 'top statements',
      verdict: 'WARN',
      detail: 'pg_stat_statements is not enabled here',
      remedy:
        'add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements (the embedded PostgreSQL has it)',
    };
  }
}

async function checkRedis(
  where: { redisUrl?: string; clusterNodes?: RedisNode[] },
  prefix: string,
): Promise<Check[]> {
  const url =
    where.redisUrl ??
    `Redis Cluster ${where.clusterNodes?.map((n) => `${n.host}:${n.port}`).join(',')}`;
  let target: AdminTarget;
  try {
    target = await openAdminTarget(where);
  } catch (error) {
    return [
      {
        name: 'redis',
        verdict: 'FAIL',
        detail: `cannot reach ${url}: ${error instanceof Error ? error.message : error}`,
        remedy: 'start Redis; meanwhile the service reads PostgreSQL',
      },
    ];
  }
  try {
    const started = performance.now();
    await Promise.all(target.masters.map((node) => node.ping()));
    const rtt = performance.now() - started;
    const keys = await targetKeyStats(target, prefix);
    const rate = keyspaceHitRate(await targetInfo(target, 'stats'));
    return [
      {
        name: 'redis',
        verdict: 'OK',
        detail: `${target.where} answers PING in ${rtt.toFixed(2)} ms${target.masters.length > 1 ? ' (every master)' : ''}`,
      },
      {
        name: 'cache keys',
        verdict: 'OK',
        detail: `${keys.total} keys match ${keys.pattern}`,
        lines: keys.sample,
      },
      {
        name: 'cache hit rate',
        verdict: 'OK',
        detail: `${rate} (Redis keyspace hits over hits and misses, server-wide)`,
      },
    ];
  } finally {
    await target.close();
  }
}
