import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { IdempotencyKeyReusedError, InsufficientFundsError, NotFoundError } from '../errors.js';
import { balanceCredit } from '../queries/balances/credit.queries.js';
import { balanceDebit } from '../queries/balances/debit.queries.js';
import { balanceFindById } from '../queries/balances/find_by_id.queries.js';
import { idempotencyKeyClaim } from '../queries/idempotency_keys/claim.queries.js';
import { idempotencyKeyFindByKey } from '../queries/idempotency_keys/find_by_key.queries.js';
import {
  idempotencyKeySaveResponse,
  type Json,
} from '../queries/idempotency_keys/save_response.queries.js';
import { type Movement, toBalance, toEntry } from './balance.js';

/**
 * A credit or debit with its idempotency key, committed together: the key is claimed first, so
 * a concurrent request with the same key waits for this one and then replays its result.
 */
export function moveOnce(
  pool: pg.Pool,
  connect: (db: pg.PoolClient) => IDatabaseConnection,
  kind: 'credit' | 'debit',
  balanceId: string,
  amount: string,
  key: string,
): Promise<Movement> {
  // "1.50" and "1.5" are the same request.
  const fingerprint = `${kind}:${balanceId}:${amount.includes('.') ? amount.replace(/\.?0+$/, '') : amount}`;
  return inTransaction(pool, async (transaction): Promise<Movement> => {
    const client = connect(transaction);
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
    const movement = await applyMovement(kind, balanceId, amount, client);
    // A Movement is plain strings and booleans: JSON as it is.
    await idempotencyKeySaveResponse.run({ key, response: movement as unknown as Json }, client);
    return movement;
  });
}

/**
 * One guarded statement: the change and its journal entry.
 * @throws NotFoundError, InsufficientFundsError
 */
export async function applyMovement(
  kind: 'credit' | 'debit',
  balanceId: string,
  amount: string,
  db: IDatabaseConnection,
): Promise<Movement> {
  const statement = kind === 'credit' ? balanceCredit : balanceDebit;
  const [row] = await statement.run({ id: balanceId, amount }, db);
  if (!row) {
    const [current] = await balanceFindById.run({ id: balanceId }, db);
    if (!current) throw new NotFoundError(`balance ${balanceId}`);
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
