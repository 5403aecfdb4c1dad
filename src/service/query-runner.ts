/**
 * How the service's parts reach PostgreSQL: every statement named (prepared once per
 * connection) unless turned off, retried on serialization failures and deadlocks, timed into
 * `balance_query_duration_seconds`, logged with `LOG_SQL`, and its errors turned into the
 * project's error classes.
 */
import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';
import { UNKNOWN_LSN } from '../cache/generation-lsn.js';
import { withNamedStatements } from '../db/named-statements.js';
import { allowsNamedStatements, usesTransactionPooling } from '../db/pool.js';
import type { ReplicaRouter } from '../db/replica-router.js';
import { inTransaction, withRetry } from '../db/transaction.js';
import {
  classifyDatabaseError,
  isConnectionLoss,
  NotFoundError,
  OutcomeUnknownError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { balanceFindById } from '../queries/balances/find_by_id.queries.js';

export interface QueryRunnerDeps {
  pool: pg.Pool;
  metrics: Metrics;
  logger: Logger;
  /** Log every statement with its name, duration and row count (the original model's `debug: true`). */
  logQueries?: boolean;
  /**
   * Prepare each statement once per connection; default: unless the pool is behind a
   * transaction-mode pooler or DATABASE_NAMED_STATEMENTS=0 (`allowsNamedStatements`).
   */
  namedStatements?: boolean;
  /** Read replicas (DATABASE_REPLICA_URLS); none: every read goes to `pool`. */
  replicas?: ReplicaRouter;
}

/**
 * Runs the service's statements. Its functions are bound, so each part of the service keeps
 * them as its own `this.query`, `this.timed` and `this.currentRow`.
 */
export class QueryRunner {
  readonly pool: pg.Pool;
  /** How statements reach PostgreSQL: named (prepared once per connection) or not. */
  readonly connect: (db: pg.Pool | pg.PoolClient) => IDatabaseConnection;
  private readonly db: IDatabaseConnection;
  private readonly metrics: Metrics;
  readonly logger: Logger;
  private readonly logQueries: boolean;
  private readonly replicas: ReplicaRouter | undefined;

  constructor(deps: QueryRunnerDeps) {
    this.replicas = deps.replicas;
    this.pool = deps.pool;
    this.metrics = deps.metrics;
    this.logger = deps.logger;
    this.logQueries = deps.logQueries ?? false;
    const named = deps.namedStatements ?? allowsNamedStatements(deps.pool);
    this.connect = named ? withNamedStatements : (db) => db;
    this.db = this.connect(this.pool);
  }

  /** Runs one query on the pool with retries, timing and error classification. */
  readonly query = <T>(name: string, run: (db: IDatabaseConnection) => Promise<T>): Promise<T> =>
    this.timed(name, () => withRetry(() => run(this.db)));

  /**
   * Runs one read that a replica may answer once it has replayed past `lsn` (the LSN carried
   * by the read's generation). An undefined `lsn` (the cache was skipped or could not say) or
   * UNKNOWN_LSN (a write that could not learn its own) is `readFresh`: the primary's position,
   * asked now, is past every write acknowledged so far, that one included. Without replicas,
   * exactly `query`.
   */
  readonly readAt = <T>(
    name: string,
    lsn: string | undefined,
    run: (db: IDatabaseConnection) => Promise<T>,
  ): Promise<T> => {
    const replicas = this.replicas;
    if (!replicas) return this.query(name, run);
    if (lsn === undefined || lsn === UNKNOWN_LSN) return this.readFresh(name, run);
    return this.timed(name, () => withRetry(() => replicas.read(name, lsn, run, this.connect)));
  };

  /**
   * Runs one read with no position known (a page, an address lookup, a journal, or a cached
   * read while the cache is skipped): with replicas, the primary's current position is asked
   * first (a cheap statement), so a replica answers only once it shows every write
   * acknowledged before this read began. Without, exactly `query`.
   */
  readonly readFresh = async <T>(
    name: string,
    run: (db: IDatabaseConnection) => Promise<T>,
  ): Promise<T> => {
    const replicas = this.replicas;
    if (!replicas) return this.query(name, run);
    const lsn = await this.timed('primaryLsn', () => replicas.primaryLsn());
    return this.timed(name, () => withRetry(() => replicas.read(name, lsn, run, this.connect)));
  };

  /**
   * Runs one write statement (committed on its own) with retries, timing and error
   * classification. A connection that breaks once the statement may have been sent makes an
   * OutcomeUnknownError: PostgreSQL may have committed it. Failing to connect does not: then
   * nothing was sent.
   *
   * Behind a transaction-mode pooler the statement runs in a transaction of its own instead:
   * only there do the pool's lock and statement timeouts reach PostgreSQL (as `SET LOCAL`s), so
   * a write stuck behind a row lock ends at the lock timeout (503), not at the client-side
   * deadline with its outcome unknown (502). Two more round trips per write; reads, which take
   * no row locks, stay single statements.
   * @throws OutcomeUnknownError
   */
  readonly write = <T>(name: string, run: (db: IDatabaseConnection) => Promise<T>): Promise<T> =>
    usesTransactionPooling(this.pool)
      ? this.timed(name, () => inTransaction(this.pool, (client) => run(this.connect(client))))
      : this.writeAlone(name, run);

  private readonly writeAlone = <T>(
    name: string,
    run: (db: IDatabaseConnection) => Promise<T>,
  ): Promise<T> =>
    this.timed(name, () =>
      withRetry(async () => {
        const client = await this.pool.connect();
        let broken: Error | undefined;
        // A checked-out client's 'error' event has no other listener (see inTransaction).
        const onError = (error: Error) => {
          broken = error;
        };
        client.on('error', onError);
        try {
          return await run(this.connect(client));
        } catch (error) {
          if (!isConnectionLoss(error)) throw error;
          broken ??= error as Error;
          throw new OutcomeUnknownError(error);
        } finally {
          client.off('error', onError);
          client.release(broken);
        }
      }),
    );

  /** Times `run` as query `name`, logs it when asked, and classifies what it throws. */
  readonly timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const stop = this.metrics.queryDuration.startTimer({ query: name });
    let result: T | undefined;
    try {
      result = await run();
      return result;
    } catch (error) {
      throw classifyDatabaseError(error);
    } finally {
      const seconds = stop();
      if (this.logQueries) {
        const rows = Array.isArray(result)
          ? result.length
          : (result as { rowCount?: number } | undefined)?.rowCount;
        this.logger.info({ query: name, ms: Math.round(seconds * 1e6) / 1e3, rows }, 'sql');
      }
    }
  };

  /**
   * The balance as PostgreSQL has it now, to tell "not found" from other refusals.
   * @throws NotFoundError
   */
  readonly currentRow = async (balanceId: string, db: IDatabaseConnection = this.db) => {
    const [row] = await balanceFindById.run({ id: balanceId }, db);
    if (!row) throw new NotFoundError(`balance ${balanceId}`);
    return row;
  };
}
