/**
 * Exactly-once writes, Stripe-style: the key is claimed first in the write's own transaction,
 * so it commits exactly when the write does; a repeat with the same key and request gets the
 * first result back; the same key for another request is refused. A key belongs to its
 * subject (the caller): the same key from two subjects is two keys.
 */
import type { IDatabaseConnection } from '@pgtyped/runtime';
import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { IdempotencyKeyReusedError } from '../errors.js';
import { idempotencyKeyClaim } from '../queries/idempotency_keys/claim.queries.js';
import { idempotencyKeyFindByKey } from '../queries/idempotency_keys/find_by_key.queries.js';
import {
  idempotencyKeySaveResponse,
  type Json,
} from '../queries/idempotency_keys/save_response.queries.js';

/** Who sent the key, the key, and what the request was (its parameters, normalised). */
export interface IdempotentRequest {
  subject: string;
  key: string;
  fingerprint: string;
}

/** "1.50" and "1.5" are the same request: amounts are compared without trailing zeros. */
export function normalizeAmount(amount: string): string {
  return amount.includes('.') ? amount.replace(/\.?0+$/, '') : amount;
}

/**
 * Runs `work` in one transaction with the key's claim, and stores its result under the key;
 * or, when the key was used before for the same request, returns that first result with
 * `replayed: true` and runs nothing.
 * @throws IdempotencyKeyReusedError, OutcomeUnknownError, and whatever `work` throws
 */
export function runOnce<T extends { replayed: boolean }>(
  pool: pg.Pool,
  connect: (client: pg.PoolClient) => IDatabaseConnection,
  request: IdempotentRequest,
  work: (db: IDatabaseConnection) => Promise<T>,
): Promise<T> {
  const { subject, key, fingerprint } = request;
  return inTransaction(pool, async (transaction): Promise<T> => {
    const client = connect(transaction);
    const [claimed] = await idempotencyKeyClaim.run(
      { subject, key, requestFingerprint: fingerprint },
      client,
    );
    if (!claimed) {
      const [earlier] = await idempotencyKeyFindByKey.run({ subject, key }, client);
      if (!earlier?.response) {
        // Purged between the claim and the read: a serialization-style retry claims anew.
        throw Object.assign(new Error('idempotency key vanished'), { code: '40001' });
      }
      if (earlier.request_fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      return { ...(earlier.response as unknown as T), replayed: true };
    }
    const result = await work(client);
    // Results are plain strings, booleans and objects of them: JSON as they are.
    await idempotencyKeySaveResponse.run(
      { subject, key, response: result as unknown as Json },
      client,
    );
    return result;
  });
}
