/**
 * The reads behind the cache: each names its key, its generation key and its TTL (from the
 * TTL table, src/service/cache-ttls.ts), and what it declines to cache.
 */
import { cacheKeys } from '../cache/keys.js';
import type { CachedRead, ReadThroughCache } from '../cache/read-through-cache.js';
import { balanceFindById } from '../queries/balances/find_by_id.queries.js';
import { balanceFindByUserId } from '../queries/balances/find_by_user_id.queries.js';
import { balanceFindByUserIdAndTokenId } from '../queries/balances/find_by_user_id_and_token_id.queries.js';
import { balanceTotalUsdByUser } from '../queries/balances/total_usd_by_user.queries.js';
import { type Balance, toBalance } from './balance.js';
import type { CacheTtls } from './cache-ttls.js';
import type { QueryRunner } from './query-runner.js';
import {
  parseRenderedBalance,
  type RenderedBalance,
  readRenderedBalance,
  renderBalance,
} from './rendered-balance.js';
import {
  boundUserBalances,
  type RenderedUserBalances,
  readRenderedUserBalances,
  renderUserBalances,
  type UserBalanceList,
} from './user-balance-list.js';
import { requireId } from './validate.js';

/** BalanceService's cached reads (the original model's `findById`, `findByUserId`, ...). */
export class CachedReads {
  private readonly cache: ReadThroughCache;
  private readonly ttls: CacheTtls;
  /** A replica answers a miss once it has replayed past the LSN of the key's generation. */
  private readonly readAt: QueryRunner['readAt'];
  private readonly userBalancesLimit: number;

  constructor(
    runner: QueryRunner,
    cache: ReadThroughCache,
    ttls: CacheTtls,
    userBalancesLimit: number,
  ) {
    this.cache = cache;
    this.ttls = ttls;
    this.readAt = runner.readAt;
    this.userBalancesLimit = userBalancesLimit;
  }

  /** The balance (below), parsed. */
  async findById(id: string): Promise<Balance | null> {
    const rendered = await this.findByIdRendered(id);
    return rendered && parseRenderedBalance(rendered);
  }

  /** Cached as `balance:<id>` for `ttls.byIdMs`, rendered; a missing balance is not cached. */
  findByIdRendered(id: string): Promise<RenderedBalance | null> {
    const balanceId = requireId(id, 'id');
    return this.readBalance({
      query: 'findById',
      key: cacheKeys.byId(balanceId),
      generationKey: cacheKeys.balanceGeneration(balanceId),
      ttlMs: this.ttls.byIdMs,
      load: async (lsn) => {
        const [row] = await this.readAt('findById', lsn, (db) =>
          balanceFindById.run({ id: balanceId }, db),
        );
        return row ? renderBalance(toBalance(row)) : null;
      },
      shouldStore: (balance) => balance !== null,
    });
  }

  /** The user's bounded list (below), parsed. */
  async findByUserId(userId: string): Promise<UserBalanceList> {
    const { json, tag } = await this.findByUserIdRendered(userId);
    return { ...(JSON.parse(json) as Omit<UserBalanceList, 'tag'>), tag };
  }

  /**
   * Cached as `balance:user:<userId>` for `ttls.byUserMs`: the bounded list rendered, with its
   * tag, so a hit neither reads, parses nor hashes more than `userBalancesLimit` balances. One
   * row beyond the limit is read to learn whether more follow, and not kept.
   */
  async findByUserIdRendered(userId: string): Promise<RenderedUserBalances> {
    const user = requireId(userId, 'userId');
    const limit = this.userBalancesLimit;
    // Without an LSN (an old value read past, below), the read asks the primary's position first.
    const load = async (lsn?: string) => {
      const rows = await this.readAt('findByUserId', lsn, (db) =>
        balanceFindByUserId.run({ userId: user, limit: limit + 1 }, db),
      );
      return renderUserBalances(boundUserBalances(rows.map(toBalance), limit));
    };
    const cached = await this.cache.read({
      query: 'findByUserId',
      key: cacheKeys.byUser(user),
      generationKey: cacheKeys.userGeneration(user),
      ttlMs: this.ttls.byUserMs,
      load,
    });
    // Older versions cached other forms under the same key (the original model's name): a
    // bare array, then an object. After an upgrade, read past one until it expires.
    return (
      readRenderedUserBalances(cached) ??
      (readRenderedUserBalances(await load()) as RenderedUserBalances)
    );
  }

  /** The balance (below), parsed. */
  async findByUserIdAndTokenId(userId: string, tokenId: string): Promise<Balance | null> {
    const rendered = await this.findByUserIdAndTokenIdRendered(userId, tokenId);
    return rendered && parseRenderedBalance(rendered);
  }

  /**
   * Cached as `balance:user:<userId>:token:<tokenId>` for `ttls.byUserAndTokenMs`, rendered; a
   * missing one is not cached.
   */
  findByUserIdAndTokenIdRendered(userId: string, tokenId: string): Promise<RenderedBalance | null> {
    const user = requireId(userId, 'userId');
    const token = requireId(tokenId, 'tokenId');
    return this.readBalance({
      query: 'findByUserIdAndTokenId',
      key: cacheKeys.byUserAndToken(user, token),
      generationKey: cacheKeys.userGeneration(user),
      ttlMs: this.ttls.byUserAndTokenMs,
      load: async (lsn) => {
        const [row] = await this.readAt('findByUserIdAndTokenId', lsn, (db) =>
          balanceFindByUserIdAndTokenId.run({ userId: user, tokenId: token }, db),
        );
        return row ? renderBalance(toBalance(row)) : null;
      },
      shouldStore: (balance) => balance !== null,
    });
  }

  /** Cached as `balance:user:<userId>:total` for `ttls.totalByUserMs`. */
  async totalBalanceByUser(userId: string): Promise<string> {
    const user = requireId(userId, 'userId');
    return this.cache.read({
      query: 'totalBalanceByUser',
      key: cacheKeys.totalByUser(user),
      generationKey: cacheKeys.userGeneration(user),
      ttlMs: this.ttls.totalByUserMs,
      load: async (lsn) => {
        const [row] = await this.readAt('totalBalanceByUser', lsn, (db) =>
          balanceTotalUsdByUser.run({ userId: user }, db),
        );
        return row?.total_usd ?? '0';
      },
    });
  }

  /**
   * A cached balance, rendered. Older versions cached the balance object under the same key
   * (the original model's name): after an upgrade, read past one until it expires.
   */
  private async readBalance(read: CachedRead<string | null>): Promise<RenderedBalance | null> {
    const cached: unknown = await this.cache.read(read);
    if (cached === null) return null;
    const rendered = readRenderedBalance(cached);
    if (rendered) return rendered;
    const loaded = await read.load(undefined);
    return loaded === null ? null : (readRenderedBalance(loaded) ?? null);
  }
}
