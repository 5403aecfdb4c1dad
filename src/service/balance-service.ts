import { cacheKeys, keysWrittenBy } from '../cache/keys.js';
import {
  DuplicateBalanceError,
  mayHaveCommitted,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../errors.js';
import { balanceCreate } from '../queries/balances/create.queries.js';
import { balanceDelete } from '../queries/balances/delete.queries.js';
import { balanceFindById } from '../queries/balances/find_by_id.queries.js';
import { balanceFindByUserId } from '../queries/balances/find_by_user_id.queries.js';
import { balanceFindByUserIdAndTokenId } from '../queries/balances/find_by_user_id_and_token_id.queries.js';
import { balanceTotalUsdByUser } from '../queries/balances/total_usd_by_user.queries.js';
import { balanceUpdate } from '../queries/balances/update.queries.js';
import { type Balance, type Movement, toBalance } from './balance.js';
import { applyMovement, moveOnce } from './movements.js';
import type { BalancePatch, MovementOptions, NewBalance } from './service-types.js';
import { UncachedReads } from './uncached-reads.js';
import {
  requireAddress,
  requireDecimal,
  requireId,
  requireIdempotencyKey,
  requirePositiveAmount,
} from './validate.js';

export * from './service-types.js';

/**
 * The seed's Balance model: indexed reads behind a cache that never serves a balance older than
 * an acknowledged write, and writes that keep a journal. Each read says what it caches; each
 * write invalidates, after its commit, every key it affects.
 */
export class BalanceService extends UncachedReads {
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
      [row] = await this.orInvalidate(params, () =>
        this.query('create', (db) => balanceCreate.run(params, db)),
      );
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
    const [row] = await this.orInvalidate({ id: balanceId }, () =>
      this.query('update', (db) => balanceUpdate.run(params, db)),
    );
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
    const [row] = await this.orInvalidate({ id: balanceId }, () =>
      this.query('delete', (db) => balanceDelete.run({ id: balanceId }, db)),
    );
    if (!row) throw new NotFoundError(`balance ${balanceId}`);
    await this.cache.invalidate(
      keysWrittenBy({ id: row.id, userId: row.user_id, tokenId: row.token_id }),
    );
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
    const movement = await this.orInvalidate({ id: balanceId }, () =>
      key
        ? this.timed(kind, () => moveOnce(this.pool, this.connect, kind, balanceId, value, key))
        : this.query(kind, (db) => applyMovement(kind, balanceId, value, db)),
    );
    // A replay invalidates too: the first request may have died between its commit and its
    // invalidation, and invalidating twice costs nothing.
    await this.cache.invalidate(keysWrittenBy(movement.balance));
    return movement;
  }

  /**
   * Runs a write. If it fails in a way that may still have committed (the connection cut after
   * COMMIT was sent, a statement timeout, PostgreSQL restarting), invalidates what it could
   * have changed before rethrowing: a refusal (not found, insufficient funds, a conflict)
   * changed nothing and needs none. A balance's user and token never change, so they are
   * looked up when the caller knows only the id.
   */
  private async orInvalidate<T>(
    target: { id?: string; userId?: string; tokenId?: string },
    write: () => Promise<T>,
  ): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (mayHaveCommitted(error)) {
        let keys = keysWrittenBy(target);
        if (target.id !== undefined && target.userId === undefined) {
          const row = await this.currentRow(target.id).catch(() => undefined);
          if (row) keys = keysWrittenBy({ ...target, userId: row.user_id, tokenId: row.token_id });
        }
        await this.cache
          .invalidate(keys)
          .catch((failure: unknown) =>
            this.logger.error({ err: failure, keys }, 'invalidation after a failed write failed'),
          );
      }
      throw error;
    }
  }
}
