/**
 * Transfers: value moved from one balance to another of the same token in one transaction.
 * Both balances are locked first, lowest id first whichever way the money goes, so concurrent
 * transfers queue and never deadlock; then the transfer is recorded and journaled as a debit
 * of the source and a credit of the destination, both carrying its id. The debit's own guard
 * refuses an overdraft, which rolls the whole transfer back. Exactly once per idempotency key,
 * as credits and debits are.
 */
import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';
import { keysWrittenBy } from '../cache/keys.js';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import { inTransaction } from '../db/transaction.js';
import { NotFoundError, TokenMismatchError, ValidationError } from '../errors.js';
import { balanceEntryListByTransfer } from '../queries/balance_entries/list_by_transfer.queries.js';
import { balanceLockForTransfer } from '../queries/balances/lock_for_transfer.queries.js';
import { transferCreate } from '../queries/transfers/create.queries.js';
import { transferFindById } from '../queries/transfers/find_by_id.queries.js';
import { type Transfer, type TransferResult, toEntry } from './balance.js';
import { normalizeAmount, runOnce } from './idempotency.js';
import type { MovementOptions, Movements } from './movements.js';
import type { QueryRunner } from './query-runner.js';
import { mergeKeys, type UnknownOutcomes } from './unknown-outcomes.js';
import { requireId, requireIdempotencyKey, requirePositiveAmount } from './validate.js';

/** BalanceService's transfer and getTransfer. */
export class Transfers {
  private readonly pool: pg.Pool;
  private readonly connect: QueryRunner['connect'];
  private readonly query: QueryRunner['query'];
  private readonly timed: QueryRunner['timed'];

  constructor(
    runner: QueryRunner,
    private readonly cache: ReadThroughCache,
    private readonly outcomes: UnknownOutcomes,
    private readonly movements: Movements,
  ) {
    this.pool = runner.pool;
    this.connect = runner.connect;
    this.query = runner.query;
    this.timed = runner.timed;
  }

  /**
   * Moves `amount` from balance `fromId` to balance `toId`; invalidates both balances' and both
   * owners' keys.
   * @throws ValidationError, NotFoundError, TokenMismatchError, InsufficientFundsError,
   *   IdempotencyKeyReusedError, OutcomeUnknownError
   */
  async transfer(
    fromId: string,
    toId: string,
    amount: string,
    options: MovementOptions = {},
  ): Promise<TransferResult> {
    const from = requireId(fromId, 'fromBalanceId');
    const to = requireId(toId, 'toBalanceId');
    if (from === to) throw new ValidationError('toBalanceId', 'must differ from fromBalanceId');
    const value = requirePositiveAmount(amount, 'amount');
    const key =
      options.idempotencyKey === undefined
        ? undefined
        : requireIdempotencyKey(options.idempotencyKey);
    const result = await this.outcomes.guard([from, to], () =>
      this.timed('transfer', () =>
        key
          ? runOnce(
              this.pool,
              this.connect,
              {
                subject: options.subject ?? '',
                key,
                fingerprint: `transfer:${from}:${to}:${normalizeAmount(value)}`,
              },
              (db) => this.apply(from, to, value, db),
            )
          : inTransaction(this.pool, (client) => this.apply(from, to, value, this.connect(client))),
      ),
    );
    // A replay invalidates too, as a credit's does.
    await this.cache.invalidate(mergeKeys(keysWrittenBy(result.from), keysWrittenBy(result.to)));
    return result;
  }

  /** A transfer by id with its two journal entries, or null. Not cached. */
  async getTransfer(id: string): Promise<Transfer | null> {
    const transferId = requireId(id, 'id');
    const [row] = await this.query('getTransfer', (db) =>
      transferFindById.run({ id: transferId }, db),
    );
    if (!row) return null;
    const entries = (
      await this.query('getTransferEntries', (db) =>
        balanceEntryListByTransfer.run({ transferId }, db),
      )
    ).map(toEntry);
    const debit = entries.find((entry) => entry.kind === 'debit');
    const credit = entries.find((entry) => entry.kind === 'credit');
    if (!debit || !credit) throw new Error(`transfer ${transferId} has no debit or no credit`);
    return {
      id: row.id,
      fromBalanceId: row.from_balance_id,
      toBalanceId: row.to_balance_id,
      amount: row.amount,
      createdAt: row.created_at.toISOString(),
      debit,
      credit,
    };
  }

  private async apply(
    from: string,
    to: string,
    amount: string,
    db: IDatabaseConnection,
  ): Promise<TransferResult> {
    const locked = await balanceLockForTransfer.run({ fromId: from, toId: to }, db);
    const source = locked.find((row) => row.id === from);
    const target = locked.find((row) => row.id === to);
    if (!source) throw new NotFoundError(`balance ${from}`);
    if (!target) throw new NotFoundError(`balance ${to}`);
    if (source.token_id !== target.token_id) {
      throw new TokenMismatchError(source.token_id, target.token_id);
    }
    const [row] = await transferCreate.run({ fromId: from, toId: to, amount }, db);
    if (!row) throw new Error('INSERT ... RETURNING returned no row');
    // The stored amount (trailing zeros trimmed) is what both sides journal.
    const debit = await this.movements.applyMovement('debit', from, row.amount, db, row.id);
    const credit = await this.movements.applyMovement('credit', to, row.amount, db, row.id);
    return {
      transfer: {
        id: row.id,
        fromBalanceId: row.from_balance_id,
        toBalanceId: row.to_balance_id,
        amount: row.amount,
        createdAt: row.created_at.toISOString(),
        debit: debit.entry,
        credit: credit.entry,
      },
      from: debit.balance,
      to: credit.balance,
      replayed: false,
    };
  }
}
