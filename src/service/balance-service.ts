import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';
import { cacheKeys, keysWrittenBy } from '../cache/keys.js';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import { withNamedStatements } from '../db/named-statements.js';
import { inTransaction, withRetry } from '../db/transaction.js';
import {
  classifyDatabaseError,
  DuplicateBalanceError,
  IdempotencyKeyReusedError,
  InsufficientFundsError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { balanceEntryListByBalance } from '../queries/balance_entries/list_by_balance.queries.js';
import { balanceCreate } from '../queries/balances/create.queries.js';
import { balanceCredit } from '../queries/balances/credit.queries.js';
import { balanceDebit } from '../queries/balances/debit.queries.js';
import { balanceDelete } from '../queries/balances/delete.queries.js';
import { balanceFindByAddress } from '../queries/balances/find_by_address.queries.js';
import { balanceFindById } from '../queries/balances/find_by_id.queries.js';
import { balanceFindByUserId } from '../queries/balances/find_by_user_id.queries.js';
import { balanceFindByUserIdAndTokenId } from '../queries/balances/find_by_user_id_and_token_id.queries.js';
import { balanceListAllAfterId } from '../queries/balances/list_all_after_id.queries.js';
import { balanceListAllPage } from '../queries/balances/list_all_page.queries.js';
import { balanceListByUserAfterCursor } from '../queries/balances/list_by_user_after_cursor.queries.js';
import { balanceListByUserPage } from '../queries/balances/list_by_user_page.queries.js';
import { balanceTotalUsdByUser } from '../queries/balances/total_usd_by_user.queries.js';
import { balanceUpdate } from '../queries/balances/update.queries.js';
import { idempotencyKeyClaim } from '../queries/idempotency_keys/claim.queries.js';
import { idempotencyKeyDeleteExpired } from '../queries/idempotency_keys/delete_expired.queries.js';
import { idempotencyKeyFindByKey } from '../queries/idempotency_keys/find_by_key.queries.js';
import {
  idempotencyKeySaveResponse,
  type Json,
} from '../queries/idempotency_keys/save_response.queries.js';
import {
  type Balance,
  type BalanceEntry,
  type Movement,
  type Page,
  toBalance,
  toEntry,
} from './balance.js';
import { type CacheTtls, DEFAULT_CACHE_TTLS } from './cache-ttls.js';
import { decodeBalanceCursor, encodeBalanceCursor } from './cursor.js';
import {
  requireAddress,
  requireDecimal,
  requireId,
  requireIdempotencyKey,
  requireOffset,
  requirePageSize,
  requirePositiveAmount,
} from './validate.js';

export interface BalanceServiceDeps {
  pool: pg.Pool;
  cache: ReadThroughCache;
  metrics: Metrics;
  logger: Logger;
  /** The time, for the idempotency-key retention; injectable for tests. */
  clock?: () => Date;
  ttls?: CacheTtls;
  /** Log every statement with its name, duration and row count (the seed's `debug: true`). */
  logQueries?: boolean;
  /** Prepare each statement once per connection (default); off for transaction-mode poolers. */
  namedStatements?: boolean;
}

export interface NewBalance {
  userId: string;
  tokenId: string;
  /** Defaults to "0". */
  amount?: string;
  /** Defaults to "0". */
  usdValue?: string;
  address?: string | null;
  autoConvertThreshold?: string | null;
}

/** Fields to change; a field left out keeps its value, `null` clears a nullable one. */
export interface BalancePatch {
  amount?: string;
  usdValue?: string;
  address?: string | null;
  autoConvertThreshold?: string | null;
}

export interface MovementOptions {
  /** A repeat with the same key and request returns the first result and moves nothing. */
  idempotencyKey?: string;
}

/** Idempotency keys are kept at least this long. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60_000;
const PURGE_BATCH_SIZE = 1_000;

/**
 * The seed's Balance model: indexed reads behind a cache that never serves a balance older than
 * an acknowledged write, and writes that keep a journal. Each read says what it caches; each
 * write invalidates, after its commit, every key it affects.
 */
export class BalanceService {
  private readonly pool: pg.Pool;
  private readonly cache: ReadThroughCache;
  private readonly metrics: Metrics;
  private readonly clock: () => Date;
  /** The TTLs in force (the OpenAPI summaries print them). */
  readonly ttls: CacheTtls;
  private readonly logger: Logger;
  private readonly logQueries: boolean;
  /** How statements reach PostgreSQL: named (prepared once per connection) or not. */
  private readonly connect: (db: pg.Pool | pg.PoolClient) => IDatabaseConnection;
  private readonly db: IDatabaseConnection;

  constructor(deps: BalanceServiceDeps) {
    this.pool = deps.pool;
    this.cache = deps.cache;
    this.metrics = deps.metrics;
    this.clock = deps.clock ?? (() => new Date());
    this.ttls = deps.ttls ?? DEFAULT_CACHE_TTLS;
    this.logger = deps.logger;
    this.logQueries = deps.logQueries ?? false;
    this.connect = deps.namedStatements === false ? (db) => db : withNamedStatements;
    this.db = this.connect(this.pool);
  }

  /**
   * Cached as `balance:<id>` (5 min); a missing balance is not cached.
   * @throws ValidationError
   */
  async findById(id: string): Promise<Balance | null> {
    const balanceId = requireId(id, 'id');
    return this.cache.read({
      query: 'findById',
      key: cacheKeys.byId(balanceId),
      generationKey: cacheKeys.balanceGeneration(balanceId),
      ttlMs: this.ttls.byIdMs,
      load: async () => {
        const [row] = await this.query('findById', (db) =>
          balanceFindById.run({ id: balanceId }, db),
        );
        return row ? toBalance(row) : null;
      },
      shouldStore: (balance) => balance !== null,
    });
  }

  /** The user's balances in token order. Cached as `balance:user:<userId>` (1 min). */
  async findByUserId(userId: string): Promise<Balance[]> {
    const user = requireId(userId, 'userId');
    return this.cache.read({
      query: 'findByUserId',
      key: cacheKeys.byUser(user),
      generationKey: cacheKeys.userGeneration(user),
      ttlMs: this.ttls.byUserMs,
      load: async () =>
        (
          await this.query('findByUserId', (db) => balanceFindByUserId.run({ userId: user }, db))
        ).map(toBalance),
    });
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

  /** Cached as `balance:user:<userId>:token:<tokenId>` (5 min); a missing one is not cached. */
  async findByUserIdAndTokenId(userId: string, tokenId: string): Promise<Balance | null> {
    const user = requireId(userId, 'userId');
    const token = requireId(tokenId, 'tokenId');
    return this.cache.read({
      query: 'findByUserIdAndTokenId',
      key: cacheKeys.byUserAndToken(user, token),
      generationKey: cacheKeys.userGeneration(user),
      ttlMs: this.ttls.byUserAndTokenMs,
      load: async () => {
        const [row] = await this.query('findByUserIdAndTokenId', (db) =>
          balanceFindByUserIdAndTokenId.run({ userId: user, tokenId: token }, db),
        );
        return row ? toBalance(row) : null;
      },
      shouldStore: (balance) => balance !== null,
    });
  }

  /** Sum of the user's `usdValue`, "0" with no balances. Cached as `balance:user:<userId>:total` (2 min). */
  async totalBalanceByUser(userId: string): Promise<string> {
    const user = requireId(userId, 'userId');
    return this.cache.read({
      query: 'totalBalanceByUser',
      key: cacheKeys.totalByUser(user),
      generationKey: cacheKeys.userGeneration(user),
      ttlMs: this.ttls.totalByUserMs,
      load: async () => {
        const [row] = await this.query('totalBalanceByUser', (db) =>
          balanceTotalUsdByUser.run({ userId: user }, db),
        );
        return row?.total_usd ?? '0';
      },
    });
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

  /**
   * Creates a balance; invalidates the user's keys.
   * @throws ValidationError, DuplicateBalanceError
   */
  async create(input: NewBalance): Promise<Balance> {
    const params = {
      userId: requireId(input.userId, 'userId'),
      tokenId: requireId(input.tokenId, 'tokenId'),
      amount: requireDecimal(input.amount ?? '0', 'amount'),
      usdValue: requireDecimal(input.usdValue ?? '0', 'usdValue'),
      address: input.address == null ? null : requireAddress(input.address),
      autoConvertThreshold:
        input.autoConvertThreshold == null
          ? null
          : requireDecimal(input.autoConvertThreshold, 'autoConvertThreshold'),
    };
    let row: Awaited<ReturnType<typeof balanceCreate.run>>[number] | undefined;
    try {
      [row] = await this.query('create', (db) => balanceCreate.run(params, db));
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new DuplicateBalanceError(params.userId, params.tokenId);
      }
      throw error;
    }
    if (!row) throw new Error('INSERT ... RETURNING returned no row');
    const balance = toBalance(row);
    await this.cache.invalidate(keysWrittenBy(balance));
    return balance;
  }

  /**
   * Changes the given fields and bumps the version; with `expectedVersion`, only if the balance
   * is still at that version. A change of amount is journaled as an adjustment.
   * @throws ValidationError, NotFoundError, VersionConflictError
   */
  async update(
    id: string,
    patch: BalancePatch,
    options: { expectedVersion?: string } = {},
  ): Promise<Balance> {
    const balanceId = requireId(id, 'id');
    const expectedVersion =
      options.expectedVersion === undefined
        ? null
        : requireId(options.expectedVersion, 'expectedVersion');
    if (!['amount', 'usdValue', 'address', 'autoConvertThreshold'].some((f) => f in patch)) {
      throw new ValidationError('body', 'names no field to update');
    }
    const params = {
      id: balanceId,
      expectedVersion,
      amount: patch.amount === undefined ? null : requireDecimal(patch.amount, 'amount'),
      usdValue: patch.usdValue === undefined ? null : requireDecimal(patch.usdValue, 'usdValue'),
      setAddress: patch.address !== undefined,
      address: patch.address == null ? null : requireAddress(patch.address),
      setAutoConvertThreshold: patch.autoConvertThreshold !== undefined,
      autoConvertThreshold:
        patch.autoConvertThreshold == null
          ? null
          : requireDecimal(patch.autoConvertThreshold, 'autoConvertThreshold'),
    };
    const [row] = await this.query('update', (db) => balanceUpdate.run(params, db));
    if (!row) {
      const current = await this.currentRow(balanceId);
      throw new VersionConflictError(expectedVersion ?? '', current.version);
    }
    const balance = toBalance(row);
    await this.cache.invalidate(keysWrittenBy(balance));
    return balance;
  }

  /**
   * Adds a positive `amount` (at most 18 decimals) and journals it.
   * @throws ValidationError, NotFoundError, IdempotencyKeyReusedError
   */
  credit(id: string, amount: string, options: MovementOptions = {}): Promise<Movement> {
    return this.move('credit', id, amount, options);
  }

  /**
   * Subtracts a positive `amount` if the balance holds at least that much, and journals it;
   * otherwise changes nothing.
   * @throws ValidationError, NotFoundError, InsufficientFundsError, IdempotencyKeyReusedError
   */
  debit(id: string, amount: string, options: MovementOptions = {}): Promise<Movement> {
    return this.move('debit', id, amount, options);
  }

  /**
   * Deletes a balance and its journal; invalidates the user's and the balance's keys.
   * @throws ValidationError, NotFoundError
   */
  async delete(id: string): Promise<void> {
    const balanceId = requireId(id, 'id');
    const [row] = await this.query('delete', (db) => balanceDelete.run({ id: balanceId }, db));
    if (!row) throw new NotFoundError(`balance ${balanceId}`);
    await this.cache.invalidate(
      keysWrittenBy({ id: row.id, userId: row.user_id, tokenId: row.token_id }),
    );
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

  private async move(
    kind: 'credit' | 'debit',
    id: string,
    amount: string,
    options: MovementOptions,
  ): Promise<Movement> {
    const balanceId = requireId(id, 'id');
    const value = requirePositiveAmount(amount, 'amount');
    const key =
      options.idempotencyKey === undefined
        ? undefined
        : requireIdempotencyKey(options.idempotencyKey);
    const movement = key
      ? await this.moveOnce(kind, balanceId, value, key)
      : await this.query(kind, (db) => this.applyMovement(kind, balanceId, value, db));
    // A replay invalidates too: the first request may have died between its commit and its
    // invalidation, and invalidating twice costs nothing.
    await this.cache.invalidate(keysWrittenBy(movement.balance));
    return movement;
  }

  /**
   * The movement and its idempotency key commit together: the key is claimed first, so a
   * concurrent request with the same key waits for this one and then replays its result.
   */
  private moveOnce(kind: 'credit' | 'debit', balanceId: string, amount: string, key: string) {
    // "1.50" and "1.5" are the same request.
    const fingerprint = `${kind}:${balanceId}:${amount.includes('.') ? amount.replace(/\.?0+$/, '') : amount}`;
    return this.timed(kind, () =>
      inTransaction(this.pool, async (transaction): Promise<Movement> => {
        const client = this.connect(transaction);
        const [claimed] = await idempotencyKeyClaim.run(
          { key, requestFingerprint: fingerprint },
          client,
        );
        if (!claimed) {
          const [earlier] = await idempotencyKeyFindByKey.run({ key }, client);
          if (!earlier?.response) {
            // Purged between the claim and the read: a serialization-style retry claims anew.
            throw Object.assign(new Error('idempotency key vanished'), { code: '40001' });
          }
          if (earlier.request_fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
          return { ...(earlier.response as unknown as Movement), replayed: true };
        }
        const movement = await this.applyMovement(kind, balanceId, amount, client);
        // A Movement is plain strings and booleans: JSON as it is.
        await idempotencyKeySaveResponse.run(
          { key, response: movement as unknown as Json },
          client,
        );
        return movement;
      }),
    );
  }

  private async applyMovement(
    kind: 'credit' | 'debit',
    balanceId: string,
    amount: string,
    db: IDatabaseConnection,
  ): Promise<Movement> {
    const statement = kind === 'credit' ? balanceCredit : balanceDebit;
    const [row] = await statement.run({ id: balanceId, amount }, db);
    if (!row) {
      await this.currentRow(balanceId, db);
      throw new InsufficientFundsError(balanceId, amount);
    }
    return {
      balance: toBalance(row),
      entry: toEntry({
        id: row.entry_id,
        balance_id: row.id,
        kind,
        amount,
        balance_after: row.amount,
        created_at: row.entry_created_at,
      }),
      replayed: false,
    };
  }

  /** The balance as PostgreSQL has it now, to tell "not found" from other refusals. */
  private async currentRow(balanceId: string, db: IDatabaseConnection = this.db) {
    const [row] = await balanceFindById.run({ id: balanceId }, db);
    if (!row) throw new NotFoundError(`balance ${balanceId}`);
    return row;
  }

  /** Runs one query on the pool with retries, timing and error classification. */
  private query<T>(name: string, run: (db: IDatabaseConnection) => Promise<T>): Promise<T> {
    return this.timed(name, () => withRetry(() => run(this.db)));
  }

  private async timed<T>(name: string, run: () => Promise<T>): Promise<T> {
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
