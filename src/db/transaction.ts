import type pg from 'pg';
import { isConnectionLoss, isRetryableTransactionError, OutcomeUnknownError } from '../errors.js';
import { beginStatement } from './pool.js';

const ATTEMPTS = 3;

/**
 * Runs `work` and retries it, a bounded number of times, when PostgreSQL reports a
 * serialization failure or a deadlock: the one kind of failure that the same work, run again,
 * can get past. Anything else is rethrown at once.
 */
export async function withRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryableTransactionError(error)) throw error;
      // Jittered backoff so the transactions that collided do not collide again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/**
 * Runs `work` in one READ COMMITTED transaction on one pooled connection, with retries.
 *
 * A connection lost before COMMIT was sent leaves nothing behind (PostgreSQL rolls back a
 * transaction whose connection is gone), and its error is rethrown as it is. A connection
 * lost while COMMIT was in flight leaves the outcome unknown: that is an OutcomeUnknownError,
 * never retried here.
 * @throws OutcomeUnknownError when the COMMIT was sent but its answer never came
 */
export function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withRetry(async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    // A checked-out client whose backend dies between statements (pg_terminate_backend, a
    // restart) emits 'error'; the pool listens only to idle clients, and an unheard 'error'
    // would crash the process. The next statement fails anyway, and release() drops it.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query(beginStatement(pool));
      const result = await work(client);
      try {
        await client.query('COMMIT');
      } catch (error) {
        if (!isConnectionLoss(error)) throw error;
        broken = error as Error; // release() destroys the connection
        throw new OutcomeUnknownError(error);
      }
      return result;
    } catch (error) {
      if (error instanceof OutcomeUnknownError) throw error;
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError; // the connection is unusable: release() destroys it
      });
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  });
}
