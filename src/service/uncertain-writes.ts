/**
 * A write whose outcome is unknown (the connection cut after COMMIT was sent, a statement
 * timeout, PostgreSQL restarting under it) may have committed, so it invalidates what it could
 * have changed before its error goes on: otherwise the cache would keep the old value while
 * PostgreSQL holds the new one. A refusal (not found, insufficient funds, a conflict) and a
 * database never reached changed nothing and need none (`mayHaveCommitted`).
 */
import { keysWrittenBy } from '../cache/keys.js';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import { mayHaveCommitted } from '../errors.js';
import type { Logger } from '../logger.js';
import type { QueryRunner } from './query-runner.js';

/** What a write may have touched: a balance by id, or a user's (and token's) keys. */
export interface WriteTarget {
  id?: string;
  userId?: string;
  tokenId?: string;
}

/** Runs a write; on an error after which it may have committed, invalidates, then rethrows. */
export type OrInvalidate = <T>(target: WriteTarget, write: () => Promise<T>) => Promise<T>;

export function invalidatingOnDoubt(
  cache: ReadThroughCache,
  currentRow: QueryRunner['currentRow'],
  logger: Logger,
): OrInvalidate {
  return async (target, write) => {
    try {
      return await write();
    } catch (error) {
      if (mayHaveCommitted(error)) {
        let keys = keysWrittenBy(target);
        // A balance's user and token never change: look them up when only the id is known.
        if (target.id !== undefined && target.userId === undefined) {
          const row = await currentRow(target.id).catch(() => undefined);
          if (row) keys = keysWrittenBy({ ...target, userId: row.user_id, tokenId: row.token_id });
        }
        await cache
          .invalidate(keys)
          .catch((failure: unknown) =>
            logger.error({ err: failure, keys }, 'invalidation after a failed write failed'),
          );
      }
      throw error;
    }
  };
}
