/**
 * The database side of `make check-consistency`: one PostgreSQL (`CHECK_PG=direct`, the
 * default), the same behind a PgBouncer of the check's own in transaction mode, as production
 * deployments run it (`CHECK_PG=pgbouncer`), or a primary with a streaming replica that
 * replays 300 ms behind (`CHECK_PG=replica`); the faults each can suffer; and what proves the
 * mode was exercised (transactions PgBouncer relayed, reads the replica served). The checker
 * itself (its faults, the history's final reads) always talks to PostgreSQL directly.
 */
import pg from 'pg';
import { withDatabase } from '../db/database-server.js';
import { migrate } from '../db/migrations.js';
import { PgBouncer } from '../db/pgbouncer.js';
import type { TimedFault } from './check-redis.js';
import { PostgresProcess } from './cluster.js';
import type { Operation } from './operations.js';
import { PostgresWithReplica } from './postgres-replica.js';

/** How the API processes reach PostgreSQL. */
export type CheckPostgresKind = 'direct' | 'pgbouncer' | 'replica';

export const CHECK_POSTGRES_KINDS: readonly CheckPostgresKind[] = [
  'direct',
  'pgbouncer',
  'replica',
];

/** The replica's apply delay: long enough that a read sent to it too early would be stale. */
const APPLY_DELAY_MS = 300;

export interface CheckPostgres {
  /** The check's database on the primary, reached directly. */
  url: string;
  /** What the API processes get: their DATABASE_URL and how it is pooled. */
  environment: {
    databaseUrl: string;
    /** DATABASE_REPLICA_URLS ('' for none). */
    databaseReplicaUrls: string;
    /** DATABASE_MIGRATIONS_URL: PostgreSQL itself, whatever sits in front of it. */
    migrationsUrl: string;
    /** DATABASE_TRANSACTION_POOLING=1: no session state, unnamed statements. */
    transactionPooling: boolean;
  };
  /** Transactions PgBouncer relayed to the check's database; undefined without one. */
  transactionsRelayed(): Promise<number | undefined>;
  /** Stops and starts the primary (the "PostgreSQL restarted" fault). */
  restart(): Promise<void>;
  /** Faults of this kind beyond the common ones. */
  faults: TimedFault[];
  remove(): Promise<void>;
}

/**
 * Starts the PostgreSQL of a run, with the check's database migrated.
 * @throws Error when PostgreSQL (for a replica, Debian's PostgreSQL 15) cannot start
 */
export async function startCheckPostgres(
  kind: CheckPostgresKind,
  log: (line: string) => void,
): Promise<CheckPostgres> {
  if (kind !== 'replica') {
    const postgres = await PostgresProcess.start();
    // PgBouncer keeps its port across the restart fault and reconnects once PostgreSQL is back.
    const bouncer = kind === 'pgbouncer' ? await PgBouncer.start(postgres.url) : undefined;
    if (bouncer) log(`PgBouncer in transaction mode at ${bouncer.url}`);
    return {
      url: postgres.url,
      environment: {
        databaseUrl: bouncer?.url ?? postgres.url,
        databaseReplicaUrls: '',
        migrationsUrl: postgres.url,
        transactionPooling: bouncer !== undefined,
      },
      transactionsRelayed: async () =>
        bouncer?.transactionsRelayed(new URL(postgres.url).pathname.slice(1)),
      restart: async () => {
        await postgres.stop();
        await postgres.restart();
      },
      faults: [],
      remove: async () => {
        await bouncer?.stop();
        await postgres.remove();
      },
    };
  }
  log(`starting a primary and a streaming replica ${APPLY_DELAY_MS} ms behind`);
  const servers = await PostgresWithReplica.start({ applyDelayMs: APPLY_DELAY_MS });
  const admin = new pg.Client({ connectionString: servers.primaryUrl() });
  await admin.connect();
  await admin.query('CREATE DATABASE balances_check');
  await admin.end();
  const url = withDatabase(servers.primaryUrl(), 'balances_check');
  await migrate(url, 'up');
  await servers.waitForReplay();
  const replicaUrls = servers.replicaUrl('balances_check');
  return {
    url,
    environment: {
      databaseUrl: url,
      databaseReplicaUrls: replicaUrls,
      migrationsUrl: url,
      transactionPooling: false,
    },
    transactionsRelayed: async () => undefined,
    restart: async () => {
      await servers.stopPrimary();
      await servers.startPrimary();
    },
    faults: [
      { at: 0.55, name: 'read replica stopped (immediate)', inject: () => servers.stopReplica() },
      { at: 0.7, name: 'read replica restarted', inject: () => servers.startReplica() },
    ],
    remove: () => servers.remove(),
  };
}

/** Database reads by target and the replica fallbacks by reason, summed over processes. */
export interface ReplicaShare {
  replica: number;
  primary: number;
  fallbacks: Record<string, number>;
}

/**
 * Sums `balance_db_reads_total` and `balance_replica_fallback_total` from the /metrics of the
 * API processes at `urls` (those alive at the end: a stopped process's counts are gone).
 */
export async function replicaShare(urls: string[]): Promise<ReplicaShare> {
  const share: ReplicaShare = { replica: 0, primary: 0, fallbacks: {} };
  for (const url of urls) {
    const text = await fetch(`${url}/metrics`).then(
      (response) => response.text(),
      () => '',
    );
    for (const line of text.split('\n')) {
      const read = /^balance_db_reads_total\{[^}]*target="(\w+)"[^}]*\} (\d+)/.exec(line);
      if (read?.[1] === 'replica') share.replica += Number(read[2]);
      if (read?.[1] === 'primary') share.primary += Number(read[2]);
      const fallback = /^balance_replica_fallback_total\{reason="(\w+)"\} (\d+)/.exec(line);
      if (fallback?.[1])
        share.fallbacks[fallback[1]] = (share.fallbacks[fallback[1]] ?? 0) + Number(fallback[2]);
    }
  }
  return share;
}

/**
 * A planted bug for `CHECK_PG=replica`: a client that reads balances straight from the replica,
 * with no replay check, and records them as reads. With the replica replaying 300 ms behind,
 * the history check must find stale reads among them: proof that it would catch a service
 * that used a replica without checking it.
 */
export async function uncheckedReplicaReader(options: {
  replicaUrl: string;
  balanceIds: string[];
  until: () => boolean;
  now: () => number;
  record: (op: Operation) => void;
}): Promise<void> {
  const replica = new pg.Pool({ connectionString: options.replicaUrl, max: 1 });
  replica.on('error', () => {});
  try {
    let turn = 0;
    while (!options.until()) {
      const balanceId = options.balanceIds[turn++ % options.balanceIds.length] ?? '';
      const startedAt = options.now();
      const { rows } = await replica.query(
        'SELECT id::text, amount::text, version::text FROM balances WHERE id = $1',
        [balanceId],
      );
      options.record({
        client: -3,
        kind: 'read',
        balanceId,
        via: 'replica-unchecked',
        startedAt,
        endedAt: options.now(),
        status: 200,
        body: JSON.stringify(rows[0]),
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await replica.end();
  }
}
