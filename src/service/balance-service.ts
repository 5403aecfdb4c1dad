/**
 * BalanceService: the original Balance model's methods, names and contract unchanged, each
 * handed to the part of the service whose one job it is:
 *
 * - cached-reads.ts: reads behind the cache (key, generation, TTL per read)
 * - uncached-reads.ts: pages, address lookups, the journal
 * - writes.ts: create, update, delete (which closes), each invalidating what it changes
 * - movements.ts: credit and debit, exactly once per idempotency key (idempotency.ts)
 * - transfers.ts: transfers between two balances of one token, and reading them back
 * - unknown-outcomes.ts: a write whose answer was lost still invalidates, then says so
 * - query-runner.ts: how all of them reach PostgreSQL (named statements, retries, timing)
 */
import type pg from 'pg';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import type { ReplicaRouter } from '../db/replica-router.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Balance, BalanceEntry, Movement, Page, Transfer, TransferResult } from './balance.js';
import { type CacheTtls, DEFAULT_CACHE_TTLS } from './cache-ttls.js';
import { CachedReads } from './cached-reads.js';
import { type MovementOptions, Movements } from './movements.js';
import { QueryRunner } from './query-runner.js';
import type { RenderedBalance } from './rendered-balance.js';
import { Transfers } from './transfers.js';
import { UncachedReads } from './uncached-reads.js';
import { UnknownOutcomes } from './unknown-outcomes.js';
import {
  DEFAULT_USER_BALANCES_LIMIT,
  type RenderedUserBalances,
  type UserBalanceList,
} from './user-balance-list.js';
import { type BalancePatch, BalanceWrites, type NewBalance } from './writes.js';

export { IDEMPOTENCY_KEY_RETENTION_MS, type MovementOptions } from './movements.js';
export type { RenderedBalance } from './rendered-balance.js';
export type { RenderedUserBalances, UserBalanceList } from './user-balance-list.js';
export type { BalancePatch, NewBalance } from './writes.js';

export interface BalanceServiceDeps {
  pool: pg.Pool;
  cache: ReadThroughCache;
  metrics: Metrics;
  logger: Logger;
  /** The time, for the idempotency-key retention; injectable for tests. */
  clock?: () => Date;
  /** Default: DEFAULT_CACHE_TTLS. */
  ttls?: CacheTtls;
  /** Log every statement with its name, duration and row count (the original model's `debug: true`). */
  logQueries?: boolean;
  /** Prepare each statement once per connection; default: `allowsNamedStatements(pool)`. */
  namedStatements?: boolean;
  /** Most balances `findByUserId` answers (USER_BALANCES_LIMIT); default 1,000. */
  userBalancesLimit?: number;
  /** Read replicas: cache misses, pages, address lookups and journals may go to one. */
  replicas?: ReplicaRouter;
}

/**
 * The original Balance model: indexed reads behind a cache that never serves a balance older
 * than an acknowledged write, and writes that keep a journal. Each read says what it caches;
 * each write invalidates, after its commit, every key it affects.
 */
export class BalanceService {
  /** The TTLs in force (the OpenAPI summaries print them). */
  readonly ttls: CacheTtls;
  /** Most balances `findByUserId` answers; the rest follow in token-order pages. */
  readonly userBalancesLimit: number;
  private readonly cachedReads: CachedReads;
  private readonly uncachedReads: UncachedReads;
  private readonly writes: BalanceWrites;
  private readonly movements: Movements;
  private readonly transfers: Transfers;

  constructor(deps: BalanceServiceDeps) {
    this.ttls = deps.ttls ?? DEFAULT_CACHE_TTLS;
    this.userBalancesLimit = deps.userBalancesLimit ?? DEFAULT_USER_BALANCES_LIMIT;
    const runner = new QueryRunner(deps);
    this.cachedReads = new CachedReads(runner, deps.cache, this.ttls, this.userBalancesLimit);
    this.uncachedReads = new UncachedReads(runner, this.userBalancesLimit);
    const outcomes = new UnknownOutcomes(runner, this.cachedReads, deps.cache);
    this.writes = new BalanceWrites(runner, deps.cache, outcomes);
    this.movements = new Movements(runner, deps.cache, deps.clock ?? (() => new Date()), outcomes);
    this.transfers = new Transfers(runner, deps.cache, outcomes, this.movements);
  }

  /**
   * Cached as `balance:<id>` (TTL `ttls.byIdMs`); a missing balance is not cached.
   * @throws ValidationError
   */
  findById(id: string): Promise<Balance | null> {
    return this.cachedReads.findById(id);
  }

  /** findById's balance as the JSON the API answers, cached as it is, with its owner and version. */
  findByIdRendered(id: string): Promise<RenderedBalance | null> {
    return this.cachedReads.findByIdRendered(id);
  }

  /**
   * The user's balances in token order, at most `userBalancesLimit` of them; when there are
   * more, `nextCursor` continues in token order through getByUserAfter. Cached as
   * `balance:user:<userId>` (`ttls.byUserMs`), with its `tag` (the ETag).
   * @throws ValidationError
   */
  findByUserId(userId: string): Promise<UserBalanceList> {
    return this.cachedReads.findByUserId(userId);
  }

  /** findByUserId's list as the JSON the API answers, cached as it is: what a hit sends. */
  findByUserIdRendered(userId: string): Promise<RenderedUserBalances> {
    return this.cachedReads.findByUserIdRendered(userId);
  }

  /** A page of the user's balances, newest first, by offset. Not cached. */
  getByUser(userId: string, limit: number, offset: number): Promise<Balance[]> {
    return this.uncachedReads.getByUser(userId, limit, offset);
  }

  /**
   * A keyset page of the user's balances after `cursor` (the previous page's `nextCursor`;
   * none for the first page), in the order the cursor continues: newest first (`limit`
   * defaults to 20), or token order after findByUserId's cursor (`limit` defaults to
   * `userBalancesLimit`, and 100 at most when given). Cost does not grow with depth. Not cached.
   * @throws ValidationError on a bad limit or a cursor this service did not make
   */
  getByUserAfter(userId: string, limit?: number, cursor?: string): Promise<Page<Balance>> {
    return this.uncachedReads.getByUserAfter(userId, limit, cursor);
  }

  /** Cached as `balance:user:<userId>:token:<tokenId>` (`ttls.byUserAndTokenMs`); a missing one is not cached. */
  findByUserIdAndTokenId(userId: string, tokenId: string): Promise<Balance | null> {
    return this.cachedReads.findByUserIdAndTokenId(userId, tokenId);
  }

  /** findByUserIdAndTokenId's balance as the JSON the API answers (see findByIdRendered). */
  findByUserIdAndTokenIdRendered(userId: string, tokenId: string): Promise<RenderedBalance | null> {
    return this.cachedReads.findByUserIdAndTokenIdRendered(userId, tokenId);
  }

  /** Sum of the user's `usdValue`, "0" with no balances. Cached as `balance:user:<userId>:total` (`ttls.totalByUserMs`). */
  totalBalanceByUser(userId: string): Promise<string> {
    return this.cachedReads.totalBalanceByUser(userId);
  }

  /** Balances held at `address`, in id order, at most `limit`. Not cached (as in the original model). */
  findByAddress(address: string, limit = 100): Promise<Balance[]> {
    return this.uncachedReads.findByAddress(address, limit);
  }

  /** Every balance, in id order, one page at a time (at most 100 rows). Not cached. */
  getAll(limit: number, offset: number): Promise<Balance[]> {
    return this.uncachedReads.getAll(limit, offset);
  }

  /**
   * Every balance in id order, `limit` after balance `afterId` (none for the first page): the
   * keyset twin of getAll, whose cost does not grow with depth. Not cached.
   */
  getAllAfter(limit: number, afterId?: string): Promise<Page<Balance>> {
    return this.uncachedReads.getAllAfter(limit, afterId);
  }

  /**
   * The journal of a balance, newest first, `limit` entries before entry `beforeId` (none for
   * the newest page). Not cached.
   */
  getEntries(balanceId: string, limit: number, beforeId?: string): Promise<Page<BalanceEntry>> {
    return this.uncachedReads.getEntries(balanceId, limit, beforeId);
  }

  /**
   * Whose balance `id` is or was, and whether it is closed (deleted); null if it never
   * existed. Not cached.
   */
  findIncludingClosed(id: string): Promise<{ userId: string; closed: boolean } | null> {
    return this.uncachedReads.findIncludingClosed(id);
  }

  /** A transfer with its two journal entries, or null. Not cached. */
  getTransfer(id: string): Promise<Transfer | null> {
    return this.transfers.getTransfer(id);
  }

  /**
   * Creates a balance; invalidates the user's keys.
   * @throws ValidationError, DuplicateBalanceError, OutcomeUnknownError
   */
  create(input: NewBalance): Promise<Balance> {
    return this.writes.create(input);
  }

  /**
   * Changes the given fields and bumps the version; with `expectedVersion`, only if the balance
   * is still at that version. A change of amount is journaled as an adjustment.
   * @throws ValidationError, NotFoundError, VersionConflictError
   */
  update(
    id: string,
    patch: BalancePatch,
    options: { expectedVersion?: string } = {},
  ): Promise<Balance> {
    return this.writes.update(id, patch, options);
  }

  /**
   * Adds a positive `amount` (at most 18 decimals) and journals it.
   * @throws ValidationError, NotFoundError, IdempotencyKeyReusedError, OutcomeUnknownError
   */
  credit(id: string, amount: string, options: MovementOptions = {}): Promise<Movement> {
    return this.movements.move('credit', id, amount, options);
  }

  /**
   * Subtracts a positive `amount` if the balance holds at least that much, and journals it;
   * otherwise changes nothing.
   * @throws ValidationError, NotFoundError, InsufficientFundsError, IdempotencyKeyReusedError,
   *   OutcomeUnknownError
   */
  debit(id: string, amount: string, options: MovementOptions = {}): Promise<Movement> {
    return this.movements.move('debit', id, amount, options);
  }

  /**
   * Moves a positive `amount` from balance `fromId` to balance `toId` (same token) in one
   * transaction, never overdrawing: a debit and a credit journaled with the transfer's id.
   * Invalidates both balances' and both owners' keys.
   * @throws ValidationError, NotFoundError, TokenMismatchError, InsufficientFundsError,
   *   IdempotencyKeyReusedError, OutcomeUnknownError
   */
  transfer(
    fromId: string,
    toId: string,
    amount: string,
    options: MovementOptions = {},
  ): Promise<TransferResult> {
    return this.transfers.transfer(fromId, toId, amount, options);
  }

  /**
   * Closes an empty balance (soft delete): reads answer 404 from then on, its journal stays
   * readable by admins, and its (user, token) pair is free again. Invalidates the user's and
   * the balance's keys.
   * @throws ValidationError, NotFoundError, BalanceNotEmptyError, OutcomeUnknownError
   */
  delete(id: string): Promise<void> {
    return this.writes.delete(id);
  }

  /** Deletes idempotency keys older than the retention, in short batches. Returns how many. */
  purgeExpiredIdempotencyKeys(): Promise<number> {
    return this.movements.purgeExpiredIdempotencyKeys();
  }
}
