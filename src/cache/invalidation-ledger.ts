import type pg from 'pg';
import { withNamedStatements } from '../db/named-statements.js';
import { allowsNamedStatements } from '../db/pool.js';
import { cacheInvalidationDeleteByIds } from '../queries/cache_invalidations/delete_by_ids.queries.js';
import { cacheInvalidationListByPrefix } from '../queries/cache_invalidations/list_by_prefix.queries.js';
import { cacheInvalidationRecord } from '../queries/cache_invalidations/record.queries.js';

/** Keys a write made stale, as the cache names them (without the prefix). */
export interface Invalidation {
  generations: string[];
  values: string[];
}

export interface RecordedInvalidation extends Invalidation {
  id: string;
}

/**
 * Invalidations that could not reach Redis, kept where every process can see them. Redis
 * cannot carry this news: it is what refused the write.
 */
export interface InvalidationLedger {
  record(invalidation: Invalidation): Promise<void>;
  /** The oldest `limit` recorded invalidations. */
  list(limit: number): Promise<RecordedInvalidation[]>;
  remove(ids: string[]): Promise<void>;
}

/**
 * The ledger in PostgreSQL's `cache_invalidations`, one deployment's rows by key prefix; its
 * statements named unless `namedStatements` is false (default: `allowsNamedStatements(pool)`,
 * so not behind a transaction-mode pooler).
 */
export function createPostgresLedger(
  pool: pg.Pool,
  keyPrefix: string,
  namedStatements = allowsNamedStatements(pool),
): InvalidationLedger {
  const db = namedStatements ? withNamedStatements(pool) : pool;
  return {
    record: async ({ generations, values }) => {
      await cacheInvalidationRecord.run(
        { keyPrefix, generationKeys: generations, valueKeys: values },
        db,
      );
    },
    list: async (limit) =>
      (await cacheInvalidationListByPrefix.run({ keyPrefix, limit }, db)).map((row) => ({
        id: row.id,
        generations: row.generation_keys,
        values: row.value_keys,
      })),
    remove: async (ids) => {
      await cacheInvalidationDeleteByIds.run({ ids }, db);
    },
  };
}
