/**
 * Money movements: credit and debit, each journaled in the same statement as the change, and
 * made exactly-once per idempotency key (Stripe-style: the key stores the first response; a
 * replay returns it; the same key for another request is refused). Also the purge of keys past
 * their retention.
 */
import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';
import { keysWrittenBy } from '../cache/keys.js';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import { inTransaction } from '../db/transaction.js';
import { IdempotencyKeyReusedError, InsufficientFundsError } from '../errors.js';
import { balanceCredit } from '../queries/balances/credit.queries.js';
import { balanceDebit } from '../queries/balances/debit.queries.js';
import { idempotencyKeyClaim } from '../queries/idempotency_keys/claim.queries.js';
import { idempotencyKeyDeleteExpired } from '../queries/idempotency_keys/delete_expired.queries.js';
import { idempotencyKeyFindByKey } from '../queries/idempotency_keys/find_by_key.queries.js';
import {
  idempotencyKeySaveResponse,
  type Json,
} from '../queries/idempotency_keys/save_response.queries.js';
import { type Movement, toBalance, toEntry } from './balance.js';
import type { QueryRunner } from './query-runner.js';
import { invalidatingOnDoubt, type OrInvalidate } from './uncertain-writes.js';
import { requireId, requireIdempotencyKey, requirePositiveAmount } from './validate.js';

export interface MovementOptions {
  /** A repeat with the same key and request returns the first result and moves nothing. */
  idempotencyKey?: string;
}

/** Idempotency keys are kept at least this long. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60_000;
const PURGE_BATCH_SIZE = 1_000;

/** BalanceService's credit and debit, and the idempotency keys that make them exactly-once. */
export class Movements {
  private readonly pool: pg.Pool;
  private readonly cache: ReadThroughCache;
  private readonly clock: () => Date;
  private readonly connect: QueryRunner['connect'];
  private readonly query: QueryRunner['query'];
  private readonly timed: QueryRunner['timed'];
  private readonly currentRow: QueryRunner['currentRow'];
  private readonly orInvalidate: OrInvalidate;

  constructor(runner: QueryRunner, cache: ReadThroughCache, clock: () => Date) {
    this.orInvalidate = invalidatingOnDoubt(cache, runner.currentRow, runner.logger);
    this.pool = runner.pool;
    this.cache = cache;
    this.clock = clock;
    this.connect = runner.connect;
    this.query = runner.query;
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
   * @throws ValidationError, NotFoundError, InsufficientFundsError, IdempotencyKeyReusedError
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
    const movement = await this.orInvalidate({ id: balanceId }, () =>
      key
        ? this.moveOnce(kind, balanceId, value, key)
        : this.query(kind, (db) => this.applyMovement(kind, balanceId, value, db)),
    );
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
}
