import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import { withNamedStatements } from '../db/named-statements.js';
import { withRetry } from '../db/transaction.js';
import { classifyDatabaseError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { balanceEntryListByBalance } from '../queries/balance_entries/list_by_balance.queries.js';
import { balanceFindByAddress } from '../queries/balances/find_by_address.queries.js';
import { balanceFindById } from '../queries/balances/find_by_id.queries.js';
import { balanceListAllAfterId } from '../queries/balances/list_all_after_id.queries.js';
import { balanceListAllPage } from '../queries/balances/list_all_page.queries.js';
import { balanceListByUserAfterCursor } from '../queries/balances/list_by_user_after_cursor.queries.js';
import { balanceListByUserPage } from '../queries/balances/list_by_user_page.queries.js';
import { idempotencyKeyDeleteExpired } from '../queries/idempotency_keys/delete_expired.queries.js';
import { type Balance, type BalanceEntry, type Page, toBalance, toEntry } from './balance.js';
import { decodeBalanceCursor, encodeBalanceCursor } from './cursor.js';
import type { BalanceServiceDeps, CacheTtls } from './service-types.js';
import { IDEMPOTENCY_KEY_RETENTION_MS, SEED_CACHE_TTLS } from './service-types.js';
import { requireAddress, requireId, requireOffset, requirePageSize } from './validate.js';

const PURGE_BATCH_SIZE = 1_000;

/**
 * What every BalanceService method stands on (the pool, named statements, timing, error
 * classification) and the reads that are not cached: pages, address lookups, journals.
 */
export abstract class UncachedReads {
  protected readonly pool: pg.Pool;
  protected readonly cache: ReadThroughCache;
  protected readonly metrics: Metrics;
  protected readonly clock: () => Date;
  protected readonly ttls: CacheTtls;
  protected readonly logger: Logger;
  protected readonly logQueries: boolean;
  /** How statements reach PostgreSQL: named (prepared once per connection) or not. */
  protected readonly connect: (db: pg.Pool | pg.PoolClient) => IDatabaseConnection;
  protected readonly db: IDatabaseConnection;

  constructor(deps: BalanceServiceDeps) {
    this.pool = deps.pool;
    this.cache = deps.cache;
    this.metrics = deps.metrics;
    this.clock = deps.clock ?? (() => new Date());
    this.ttls = deps.ttls ?? SEED_CACHE_TTLS;
    this.logger = deps.logger;
    this.logQueries = deps.logQueries ?? false;
    this.connect = deps.namedStatements === false ? (db) => db : withNamedStatements;
    this.db = this.connect(this.pool);
  }

  /** A page of the user's balances, newest first, by offset. Not cached. */
  async getByUser(userId: string, limit: number, offset: number): Promise<Balance[]> {
    const params = {
      userId: requireId(userId, 'userId'),
      limit: requirePageSize(limit),
      offset: requireOffset(offset),
    };
    const rows = await this.query('getByUser', (db) => balanceListByUserPage.run(params, db));
    return rows.map(toBalance);
  }

  /**
   * A page of the user's balances, newest first, after `cursor` (the previous page's
   * `nextCursor`; none for the first page). Cost does not grow with depth. Not cached.
   */
  async getByUserAfter(userId: string, limit: number, cursor?: string): Promise<Page<Balance>> {
    const user = requireId(userId, 'userId');
    const size = requirePageSize(limit);
    const rows =
      cursor === undefined
        ? await this.query('getByUser', (db) =>
            balanceListByUserPage.run({ userId: user, limit: size, offset: 0 }, db),
          )
        : await this.query('getByUserAfter', (db) =>
            balanceListByUserAfterCursor.run(
              { userId: user, limit: size, ...decodeBalanceCursor(cursor) },
              db,
            ),
          );
    const items = rows.map(toBalance);
    const last = items.at(-1);
    return { items, nextCursor: items.length === size && last ? encodeBalanceCursor(last) : null };
  }

  /** Balances held at `address`, in id order, at most `limit`. Not cached (as in the seed). */
  async findByAddress(address: string, limit = 100): Promise<Balance[]> {
    const params = { address: requireAddress(address), limit: requirePageSize(limit) };
    const rows = await this.query('findByAddress', (db) => balanceFindByAddress.run(params, db));
    return rows.map(toBalance);
  }

  /** Every balance, in id order, one page at a time (at most 100 rows). Not cached. */
  async getAll(limit: number, offset: number): Promise<Balance[]> {
    const params = { limit: requirePageSize(limit), offset: requireOffset(offset) };
    const rows = await this.query('getAll', (db) => balanceListAllPage.run(params, db));
    return rows.map(toBalance);
  }

  /**
   * Every balance in id order, `limit` after balance `afterId` (none for the first page): the
   * keyset twin of getAll, whose cost does not grow with depth. Not cached.
   */
  async getAllAfter(limit: number, afterId?: string): Promise<Page<Balance>> {
    const params = {
      limit: requirePageSize(limit),
      afterId: afterId === undefined ? '0' : requireId(afterId, 'after'),
    };
    const rows = await this.query('getAllAfter', (db) => balanceListAllAfterId.run(params, db));
    const items = rows.map(toBalance);
    const last = items.at(-1);
    return { items, nextCursor: items.length === params.limit && last ? last.id : null };
  }

  /**
   * The journal of a balance, newest first, `limit` entries before entry `beforeId` (none for
   * the newest page). Not cached.
   */
  async getEntries(
    balanceId: string,
    limit: number,
    beforeId?: string,
  ): Promise<Page<BalanceEntry>> {
    const params = {
      balanceId: requireId(balanceId, 'balanceId'),
      limit: requirePageSize(limit),
      beforeId: beforeId === undefined ? null : requireId(beforeId, 'before'),
    };
    const rows = await this.query('getEntries', (db) => balanceEntryListByBalance.run(params, db));
    const items = rows.map(toEntry);
    const last = items.at(-1);
    return { items, nextCursor: items.length === params.limit && last ? last.id : null };
  }

  /** Deletes idempotency keys older than the retention, in short batches. Returns how many. */
  async purgeExpiredIdempotencyKeys(): Promise<number> {
    const createdBefore = new Date(this.clock().getTime() - IDEMPOTENCY_KEY_RETENTION_MS);
    let purged = 0;
    for (;;) {
      const { rowCount } = await this.query('purgeIdempotencyKeys', (db) =>
        idempotencyKeyDeleteExpired.runWithCounts(
          { createdBefore, batchSize: PURGE_BATCH_SIZE },
          db,
        ),
      );
      purged += rowCount;
      if (rowCount < PURGE_BATCH_SIZE) return purged;
    }
  }

  /** The balance as PostgreSQL has it now, to tell "not found" from other refusals. */
  protected async currentRow(balanceId: string, db: IDatabaseConnection = this.db) {
    const [row] = await balanceFindById.run({ id: balanceId }, db);
    if (!row) throw new NotFoundError(`balance ${balanceId}`);
    return row;
  }

  /** Runs one query on the pool with retries, timing and error classification. */
  protected query<T>(name: string, run: (db: IDatabaseConnection) => Promise<T>): Promise<T> {
    return this.timed(name, () => withRetry(() => run(this.db)));
  }

  protected async timed<T>(name: string, run: () => Promise<T>): Promise<T> {
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
  }
}
