/**
 * Sends a read to a read replica only when that replica provably shows every acknowledged
 * write the read could see, else to the primary (the README's first promise, "no stale read").
 *
 * The position to reach is an LSN the caller knows: the one carried by the generation of the
 * cached key (src/cache/generation-lsn.ts; a write records the primary's WAL insert position
 * after its commit there), or the primary's position asked just before a read that has none
 * (an uncached read, or a cached one while the cache is skipped). On
 * the replica, a separate statement before the SELECT asks `pg_last_wal_replay_lsn()`, on the
 * same connection: "one replica caught up" is not "this replica caught up" (gitlab#413203).
 *
 * A replica that is down, hangs or is not a standby costs one deadline (connect and check
 * both bounded by `timeoutMs`), then is skipped for a cool-down; one that is behind costs its
 * check. Either way the primary answers the read.
 */
import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';
import { toPgLsn, toSortableLsn } from '../cache/generation-lsn.js';
import type { Metrics } from '../metrics.js';
import { createPool, type PoolSettings } from './pool.js';

export interface Replica {
  /** Metric label: host:port, never the URL (it may hold a password). */
  label: string;
  pool: pg.Pool;
  /** Skipped until then (performance.now()), after a failure. */
  downUntil: number;
}

export interface ReplicaRouterOptions {
  primary: pg.Pool;
  replicas: Replica[];
  /** Deadline of connecting to a replica and of its check. */
  timeoutMs: number;
  /** How long a replica that failed is skipped. */
  cooldownMs?: number;
  metrics: Metrics;
}

/** The replay position check: caught up or not, and by how many bytes not. */
const CHECK = `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up,
  pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::text AS behind`;

type Run<T> = (db: IDatabaseConnection) => Promise<T>;

export class ReplicaRouter {
  private next = 0;

  constructor(private readonly options: ReplicaRouterOptions) {}

  /**
   * The primary's WAL insert position, sortable (generation-lsn.ts): at or after the end of
   * every commit record written so far, so at or after every write acknowledged so far
   * (GitLab's load balancer takes the same one, whatever `synchronous_commit` says).
   */
  async primaryLsn(): Promise<string> {
    const { rows } = await this.options.primary.query<{ lsn: string }>(
      'SELECT pg_current_wal_insert_lsn()::text AS lsn',
    );
    return toSortableLsn(rows[0]?.lsn ?? '');
  }

  /**
   * Runs `run` on a replica that has replayed past `lsn`, else on the primary. `connect` wraps
   * a connection the way the caller's statements need (named or not).
   */
  async read<T>(
    query: string,
    lsn: string,
    run: Run<T>,
    connect: (db: pg.Pool | pg.PoolClient) => IDatabaseConnection,
  ): Promise<T> {
    const { metrics } = this.options;
    const onPrimary = (reason: string) => {
      metrics.replicaFallbacks.inc({ reason });
      metrics.databaseReads.inc({ query, target: 'primary' });
      return run(connect(this.options.primary));
    };
    const replica = this.pick();
    if (!replica) return onPrimary('unavailable');
    let client: pg.PoolClient | undefined;
    let caughtUp: boolean | null;
    try {
      client = await replica.pool.connect();
      const { rows } = await client.query<{ caught_up: boolean | null; behind: string | null }>({
        text: CHECK,
        values: [toPgLsn(lsn)],
        query_timeout: this.options.timeoutMs,
      } as pg.QueryConfig);
      caughtUp = rows[0]?.caught_up ?? null;
      metrics.replicaLagBytes.set(
        { replica: replica.label },
        caughtUp ? 0 : Math.max(0, Number(rows[0]?.behind ?? 0)),
      );
    } catch (error) {
      // A timed-out check may still be running on that connection: destroy it, not reuse it.
      client?.release(error as Error);
      this.markDown(replica);
      return onPrimary('unavailable');
    }
    if (caughtUp !== true) {
      client.release();
      // null: not in recovery (promoted, or a primary listed by mistake): not this replica.
      if (caughtUp === null) this.markDown(replica);
      return onPrimary(caughtUp === null ? 'not_standby' : 'behind');
    }
    try {
      const result = await run(connect(client));
      client.release();
      metrics.databaseReads.inc({ query, target: 'replica' });
      return result;
    } catch (error) {
      // Lost, timed out, or cancelled by a recovery conflict: the primary answers (a read is
      // safe to repeat; an error of the statement itself comes back from the primary just the
      // same), and the replica is skipped for a while like one that failed its check.
      client.release(error as Error);
      this.markDown(replica);
      return onPrimary('unavailable');
    }
  }

  /** Closes every replica pool (the primary stays its owner's). */
  async end(): Promise<void> {
    await Promise.all(this.options.replicas.map((replica) => replica.pool.end()));
  }

  /** The next replica in turn that is not cooling down after a failure. */
  private pick(): Replica | undefined {
    const { replicas } = this.options;
    const now = performance.now();
    for (let tried = 0; tried < replicas.length; tried++) {
      const replica = replicas[this.next++ % replicas.length];
      if (replica && replica.downUntil <= now) return replica;
    }
    return undefined;
  }

  private markDown(replica: Replica): void {
    replica.downUntil = performance.now() + (this.options.cooldownMs ?? 1_000);
  }
}

/**
 * A router over one pool per replica URL, with the primary pool's settings except that
 * connecting is bounded by the replica deadline. Undefined when no replica is configured, so
 * reads then cost exactly what they did.
 */
export function createReplicaRouter(options: {
  primary: pg.Pool;
  urls: string[];
  timeoutMs: number;
  settings: PoolSettings;
  metrics: Metrics;
}): ReplicaRouter | undefined {
  if (options.urls.length === 0) return undefined;
  const replicas = options.urls.map((url) => {
    const parsed = new URL(url);
    return {
      label: `${parsed.hostname}:${parsed.port || '5432'}`,
      pool: createPool(url, { ...options.settings, connectionTimeoutMillis: options.timeoutMs }),
      downUntil: 0,
    };
  });
  return new ReplicaRouter({
    primary: options.primary,
    replicas,
    timeoutMs: options.timeoutMs,
    metrics: options.metrics,
  });
}
