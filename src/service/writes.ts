/**
 * The plain writes: create, update and delete. Each validates its input, runs one statement,
 * and invalidates, after its commit, every cache key it affects (also when its answer is lost
 * and it may have committed: see unknown-outcomes.ts). Amount changes by update are journaled
 * by the statement itself (sql/balances/update.sql). A delete closes the balance and keeps its
 * journal (sql/balances/delete.sql).
 */
import { keysWrittenBy } from '../cache/keys.js';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import {
  BalanceNotEmptyError,
  DuplicateBalanceError,
  ValidationError,
  VersionConflictError,
} from '../errors.js';
import { balanceCreate } from '../queries/balances/create.queries.js';
import { balanceDelete } from '../queries/balances/delete.queries.js';
import { balanceUpdate } from '../queries/balances/update.queries.js';
import { type Balance, toBalance } from './balance.js';
import type { QueryRunner } from './query-runner.js';
import { type UnknownOutcomes, userKeys } from './unknown-outcomes.js';
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
  private readonly outcomes: UnknownOutcomes;
  private readonly write: QueryRunner['write'];
  private readonly currentRow: QueryRunner['currentRow'];

  constructor(runner: QueryRunner, cache: ReadThroughCache, outcomes: UnknownOutcomes) {
    this.cache = cache;
    this.outcomes = outcomes;
    this.write = runner.write;
    this.currentRow = runner.currentRow;
  }

  /**
   * Creates a balance; invalidates the user's keys.
   * @throws ValidationError, DuplicateBalanceError, OutcomeUnknownError
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
      // A lost answer leaves the id unknown; the user's keys are known all the same.
      [row] = await this.outcomes.guard(
        [],
        () => this.write('create', (db) => balanceCreate.run(params, db)),
        userKeys(params.userId, params.tokenId),
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
   * @throws ValidationError, NotFoundError, VersionConflictError, OutcomeUnknownError
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
    const [row] = await this.outcomes.guard([balanceId], () =>
      this.write('update', (db) => balanceUpdate.run(params, db)),
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
   * Closes an empty balance: it answers 404 from then on, its journal stays, and its (user,
   * token) pair is free for a new balance. Invalidates the user's and the balance's keys.
   * @throws ValidationError, NotFoundError, BalanceNotEmptyError, OutcomeUnknownError
   */
  async delete(id: string): Promise<void> {
    const balanceId = requireId(id, 'id');
    const [row] = await this.outcomes.guard([balanceId], () =>
      this.write('delete', (db) => balanceDelete.run({ id: balanceId }, db)),
    );
    if (!row) {
      const current = await this.currentRow(balanceId); // NotFoundError when none is open
      throw new BalanceNotEmptyError(balanceId, current.amount);
    }
    await this.cache.invalidate(
      keysWrittenBy({ id: row.id, userId: row.user_id, tokenId: row.token_id }),
    );
  }
}
