/**
 * The plain writes: create, update and delete. Each validates its input, runs one statement,
 * and invalidates, after its commit (or after an error that leaves the commit in doubt), every
 * cache key it affects. Amount changes by update are
 * journaled by the statement itself (sql/balances/update.sql).
 */
import { keysWrittenBy } from '../cache/keys.js';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import {
  DuplicateBalanceError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../errors.js';
import { balanceCreate } from '../queries/balances/create.queries.js';
import { balanceDelete } from '../queries/balances/delete.queries.js';
import { balanceUpdate } from '../queries/balances/update.queries.js';
import { type Balance, toBalance } from './balance.js';
import type { QueryRunner } from './query-runner.js';
import { invalidatingOnDoubt, type OrInvalidate } from './uncertain-writes.js';
import { requireAddress, requireDecimal, requireId } from './validate.js';

/** A balance to create. */
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

/** BalanceService's create, update and delete. */
export class BalanceWrites {
  private readonly cache: ReadThroughCache;
  private readonly query: QueryRunner['query'];
  private readonly currentRow: QueryRunner['currentRow'];
  private readonly orInvalidate: OrInvalidate;

  constructor(runner: QueryRunner, cache: ReadThroughCache) {
    this.cache = cache;
    this.query = runner.query;
    this.currentRow = runner.currentRow;
    this.orInvalidate = invalidatingOnDoubt(cache, runner.currentRow, runner.logger);
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
}
