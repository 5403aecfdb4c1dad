/**
 * The reads that skip the cache, as the original Balance model's do: pages (by offset or by
 * keyset), address lookups and journals vary too much to be worth caching.
 */
import { balanceEntryListByBalance } from '../queries/balance_entries/list_by_balance.queries.js';
import { balanceFindByAddress } from '../queries/balances/find_by_address.queries.js';
import { balanceFindIncludingClosed } from '../queries/balances/find_including_closed.queries.js';
import { balanceListAllAfterId } from '../queries/balances/list_all_after_id.queries.js';
import { balanceListAllPage } from '../queries/balances/list_all_page.queries.js';
import { balanceListByUserAfterCursor } from '../queries/balances/list_by_user_after_cursor.queries.js';
import { balanceListByUserAfterToken } from '../queries/balances/list_by_user_after_token.queries.js';
import { balanceListByUserPage } from '../queries/balances/list_by_user_page.queries.js';
import { type Balance, type BalanceEntry, type Page, toBalance, toEntry } from './balance.js';
import { decodeUserBalancesCursor, encodeBalanceCursor, encodeTokenCursor } from './cursor.js';
import type { QueryRunner } from './query-runner.js';
import {
  DEFAULT_PAGE_SIZE,
  requireAddress,
  requireId,
  requireOffset,
  requirePageSize,
} from './validate.js';

/** BalanceService's uncached reads: pages, address lookups and the journal. */
export class UncachedReads {
  /** Each of these reads may go to a replica that has caught up with the primary (query-runner.ts). */
  private readonly readFresh: QueryRunner['readFresh'];
  /** The bounded list's size, which the token-order pages that continue it keep by default. */
  private readonly userBalancesLimit: number;

  constructor(runner: QueryRunner, userBalancesLimit: number) {
    this.readFresh = runner.readFresh;
    this.userBalancesLimit = userBalancesLimit;
  }

  /** A page of the user's balances, newest first, by offset. */
  async getByUser(userId: string, limit: number, offset: number): Promise<Balance[]> {
    const params = {
      userId: requireId(userId, 'userId'),
      limit: requirePageSize(limit),
      offset: requireOffset(offset),
    };
    const rows = await this.readFresh('getByUser', (db) => balanceListByUserPage.run(params, db));
    return rows.map(toBalance);
  }

  /**
   * A keyset page of the user's balances after `cursor`, in the order the cursor names: newest
   * first (no cursor, or a newest-first page's; `limit` defaults to DEFAULT_PAGE_SIZE), or token
   * order (the bounded list's cursor; `limit` defaults to that list's size).
   */
  async getByUserAfter(userId: string, limit?: number, cursor?: string): Promise<Page<Balance>> {
    const user = requireId(userId, 'userId');
    const after = cursor === undefined ? undefined : decodeUserBalancesCursor(cursor);
    if (after?.order === 'token') {
      const size = limit === undefined ? this.userBalancesLimit : requirePageSize(limit);
      return this.getByUserAfterToken(user, size, after.afterTokenId);
    }
    const size = requirePageSize(limit ?? DEFAULT_PAGE_SIZE);
    const rows =
      after === undefined
        ? await this.readFresh('getByUser', (db) =>
            balanceListByUserPage.run({ userId: user, limit: size, offset: 0 }, db),
          )
        : await this.readFresh('getByUserAfter', (db) =>
            balanceListByUserAfterCursor.run(
              { userId: user, limit: size, createdAt: after.createdAt, id: after.id },
              db,
            ),
          );
    const items = rows.map(toBalance);
    const last = items.at(-1);
    return { items, nextCursor: items.length === size && last ? encodeBalanceCursor(last) : null };
  }

  /** Token order after `afterTokenId`; one row more than `size` is read to know if more follow. */
  private async getByUserAfterToken(
    userId: string,
    size: number,
    afterTokenId: string,
  ): Promise<Page<Balance>> {
    const rows = await this.readFresh('getByUserAfterToken', (db) =>
      balanceListByUserAfterToken.run({ userId, afterTokenId, limit: size + 1 }, db),
    );
    const items = rows.slice(0, size).map(toBalance);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > size && last ? encodeTokenCursor(last) : null };
  }

  /** Balances held at `address`, in id order, at most `limit`. */
  async findByAddress(address: string, limit = 100): Promise<Balance[]> {
    const params = { address: requireAddress(address), limit: requirePageSize(limit) };
    const rows = await this.readFresh('findByAddress', (db) =>
      balanceFindByAddress.run(params, db),
    );
    return rows.map(toBalance);
  }

  /** Every balance, in id order, one page at a time (at most 100 rows). */
  async getAll(limit: number, offset: number): Promise<Balance[]> {
    const params = { limit: requirePageSize(limit), offset: requireOffset(offset) };
    const rows = await this.readFresh('getAll', (db) => balanceListAllPage.run(params, db));
    return rows.map(toBalance);
  }

  /** Every balance in id order, `limit` after balance `afterId` (none for the first page). */
  async getAllAfter(limit: number, afterId?: string): Promise<Page<Balance>> {
    const params = {
      limit: requirePageSize(limit),
      afterId: afterId === undefined ? '0' : requireId(afterId, 'after'),
    };
    const rows = await this.readFresh('getAllAfter', (db) => balanceListAllAfterId.run(params, db));
    const items = rows.map(toBalance);
    const last = items.at(-1);
    return { items, nextCursor: items.length === params.limit && last ? last.id : null };
  }

  /**
   * Whose balance `id` is or was, and whether it is closed; null if it never existed. For the
   * journal of a closed balance, which admins may still read.
   */
  async findIncludingClosed(id: string): Promise<{ userId: string; closed: boolean } | null> {
    const balanceId = requireId(id, 'id');
    const [row] = await this.readFresh('findIncludingClosed', (db) =>
      balanceFindIncludingClosed.run({ id: balanceId }, db),
    );
    return row ? { userId: row.user_id, closed: row.deleted_at !== null } : null;
  }

  /** The journal of a balance, newest first, `limit` entries before entry `beforeId`. */
  async getEntries(
    balanceId: string,
    limit: number,
    beforeId?: string,
  ): Promise<Page<BalanceEntry>> {
    const params = {
      balanceId: requireId(balanceId, 'balanceId'),
      limit: requirePageSize(limit),
      beforeId: beforeId === undefined ? null : requireId(beforeId, 'before'),
    };
    const rows = await this.readFresh('getEntries', (db) =>
      balanceEntryListByBalance.run(params, db),
    );
    const items = rows.map(toEntry);
    const last = items.at(-1);
    return { items, nextCursor: items.length === params.limit && last ? last.id : null };
  }
}
