/**
 * What a write does when its answer is lost and it may have committed (OutcomeUnknownError):
 * invalidate, as if it had committed, every cache key it could have changed, then say so. The
 * balance's own keys are always known; its owner's keys need the owner, read from the cache or
 * PostgreSQL (a balance's user and token never change, so a cached copy names them rightly).
 */
import { cacheKeys, keysWrittenBy } from '../cache/keys.js';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import { mayHaveCommitted } from '../errors.js';
import { balanceFindIncludingClosed } from '../queries/balances/find_including_closed.queries.js';
import type { CachedReads } from './cached-reads.js';
import type { QueryRunner } from './query-runner.js';

/** Cache keys, as `ReadThroughCache.invalidate` takes them. */
export interface CacheKeySet {
  values: string[];
  generations: string[];
}

/** What a write to `userId`'s balance of `tokenId` makes stale, whatever the balance's id. */
export function userKeys(userId: string, tokenId: string): CacheKeySet {
  return {
    values: [
      cacheKeys.byUser(userId),
      cacheKeys.byUserAndToken(userId, tokenId),
      cacheKeys.totalByUser(userId),
    ],
    generations: [cacheKeys.userGeneration(userId)],
  };
}

/** The union of several key sets, for one invalidate call. */
export function mergeKeys(...sets: CacheKeySet[]): CacheKeySet {
  return {
    values: [...new Set(sets.flatMap((set) => set.values))],
    generations: [...new Set(sets.flatMap((set) => set.generations))],
  };
}

/** Runs writes so that an unknown outcome still leaves a fresh cache. */
export class UnknownOutcomes {
  constructor(
    private readonly runner: QueryRunner,
    private readonly cachedReads: CachedReads,
    private readonly cache: ReadThroughCache,
  ) {}

  /**
   * Runs `write`; if it may have committed (mayHaveCommitted: its outcome is unknown, or an
   * error the cache cannot rule out), invalidates the keys of `balanceIds` (and of their
   * owners, where they can be found) and `alsoKeys`, then rethrows.
   * @throws OutcomeUnknownError, and whatever `write` throws
   */
  async guard<T>(
    balanceIds: string[],
    write: () => Promise<T>,
    alsoKeys: CacheKeySet = { values: [], generations: [] },
  ): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (mayHaveCommitted(error)) {
        const sets = await Promise.all(balanceIds.map((id) => this.keysOf(id)));
        const keys = mergeKeys(alsoKeys, ...sets);
        // The write's own error says more to the client than the invalidation's.
        await this.cache
          .invalidate(keys)
          .catch((failure: unknown) =>
            this.runner.logger.error(
              { err: failure, keys },
              'invalidation after a write of unknown outcome failed',
            ),
          );
      }
      throw error;
    }
  }

  private async keysOf(balanceId: string): Promise<CacheKeySet> {
    const ownKeys = {
      values: [cacheKeys.byId(balanceId)],
      generations: [cacheKeys.balanceGeneration(balanceId)],
    };
    let open: Awaited<ReturnType<CachedReads['findById']>>;
    try {
      open = await this.cachedReads.findById(balanceId);
    } catch {
      return ownKeys; // neither the cache nor PostgreSQL knows the owner now: TTLs end the rest
    }
    if (open) return keysWrittenBy(open);
    // Closed, perhaps by the very write whose answer was lost.
    const [closed] = await this.runner
      .query('findIncludingClosed', (db) => balanceFindIncludingClosed.run({ id: balanceId }, db))
      .catch(() => []);
    if (!closed) return ownKeys;
    return keysWrittenBy({ id: closed.id, userId: closed.user_id, tokenId: closed.token_id });
  }
}
