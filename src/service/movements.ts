/**
 * Money movements: credit and debit, each journaled in the same statement as the change, and
 * made exactly-once per idempotency key (idempotency.ts). Also the purge of keys past their
 * retention. A movement whose answer is lost after it may have committed invalidates the
 * cache all the same and says so (OutcomeUnknownError), never to be retried blindly.
 */
import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';
import { keysWrittenBy } from '../cache/keys.js';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import { InsufficientFundsError } from '../errors.js';
import { balanceCredit } from '../queries/balances/credit.queries.js';
import { balanceDebit } from '../queries/balances/debit.queries.js';
import { idempotencyKeyDeleteExpired } from '../queries/idempotency_keys/delete_expired.queries.js';
import { type Movement, toBalance, toEntry } from './balance.js';
import { normalizeAmount, runOnce } from './idempotency.js';
import type { QueryRunner } from './query-runner.js';
import type { UnknownOutcomes } from './unknown-outcomes.js';
import { requireId, requireIdempotencyKey, requirePositiveAmount } from './validate.js';

export interface MovementOptions {
  /** A repeat with the same key and request returns the first result and moves nothing. */
  idempotencyKey?: string;
  /**
   * Whose key it is (the HTTP API passes the bearer token's subject): the same key from two
   * subjects is two keys. Default: "" (the service's own scope).
   */
  subject?: string;
}

/** Idempotency keys are kept at least this long. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60_000;
const PURGE_BATCH_SIZE = 1_000;

/** BalanceService's credit and debit, and the idempotency keys that make them exactly-once. */
export class Movements {
  private readonly pool: pg.Pool;
  private readonly cache: ReadThroughCache;
  private readonly clock: () => Date;
  private readonly outcomes: UnknownOutcomes;
  private readonly connect: QueryRunner['connect'];
  private readonly query: QueryRunner['query'];
  private readonly write: QueryRunner['write'];
  private readonly timed: QueryRunner['timed'];
  private readonly currentRow: QueryRunner['currentRow'];

  constructor(
    runner: QueryRunner,
    cache: ReadThroughCache,
    clock: () => Date,
    outcomes: UnknownOutcomes,
  ) {
    this.pool = runner.pool;
    this.cache = cache;
    this.clock = clock;
    this.outcomes = outcomes;
    this.connect = runner.connect;
    this.query = runner.query;
    this.write = runner.write;
    this.timed = runner.timed;
    this.currentRow = runner.currentRow;
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

  /**
   * A credit or a debit, once per idempotency key when one is given.
   * @throws ValidationError, NotFoundError, InsufficientFundsError, IdempotencyKeyReusedError,
   *   OutcomeUnknownError
   */
  async move(
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
    const movement = await this.outcomes.guard([balanceId], () =>
      key
        ? this.timed(kind, () =>
            runOnce(
              this.pool,
              this.connect,
              {
                subject: options.subject ?? '',
                key,
                fingerprint: `${kind}:${balanceId}:${normalizeAmount(value)}`,
              },
              (db) => this.applyMovement(kind, balanceId, value, db),
            ),
          )
        : this.write(kind, (db) => this.applyMovement(kind, balanceId, value, db)),
    );
    // A replay invalidates too: the first request may have died between its commit and its
    // invalidation, and invalidating twice costs nothing.
    await this.cache.invalidate(keysWrittenBy(movement.balance));
    return movement;
  }

  /**
   * One credit or debit statement on `db`; with `transferId`, one side of that transfer.
   * @throws NotFoundError, InsufficientFundsError
   */
  async applyMovement(
    kind: 'credit' | 'debit',
    balanceId: string,
    amount: string,
    db: IDatabaseConnection,
    transferId: string | null = null,
  ): Promise<Movement> {
    const statement = kind === 'credit' ? balanceCredit : balanceDebit;
    const [row] = await statement.run({ id: balanceId, amount, transferId }, db);
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
        transfer_id: transferId,
        created_at: row.entry_created_at,
      }),
      replayed: false,
    };
  }
}
