/**
 * The unpaged list of a user's balances, bounded: at most USER_BALANCES_LIMIT balances in token
 * order, a cursor when more follow, and a tag (the HTTP ETag) computed once, when the list is
 * read from PostgreSQL. The cache holds it rendered (the tag, then the JSON the API answers),
 * so a hit neither hashes, parses nor serializes a large body again.
 */
import { createHash } from 'node:crypto';
import type { Balance } from './balance.js';
import { encodeTokenCursor } from './cursor.js';
import { type JsonText, toJsonText } from './json-text.js';

/** How many balances the unpaged list holds unless USER_BALANCES_LIMIT says otherwise. */
export const DEFAULT_USER_BALANCES_LIMIT = 1_000;
/** A list of 10,000 balances is about 3.5 MB of JSON: beyond that, page. */
export const MAX_USER_BALANCES_LIMIT = 10_000;

/** What `findByUserId` answers and the cache holds under `balance:user:<userId>`. */
export interface UserBalanceList {
  /** At most the limit, in token order. */
  items: Balance[];
  /**
   * Null when `items` are all of the user's open balances; otherwise the cursor of the next
   * token-order page (`getByUserAfter` with it continues exactly after the last item).
   */
  nextCursor: string | null;
  /**
   * Changes whenever the list would: a hash of every listed balance's id and version (every
   * write bumps a balance's version) and of whether more follow. Quoted, it is the ETag.
   */
  tag: string;
}

/** The list as the API answers it, and its tag. */
export interface RenderedUserBalances {
  json: JsonText<Omit<UserBalanceList, 'tag'>>;
  tag: string;
}

/**
 * Bounds `balances` (read with one row more than `limit`, in token order) to `limit`, and
 * tags the result.
 */
export function boundUserBalances(balances: Balance[], limit: number): UserBalanceList {
  const items = balances.length > limit ? balances.slice(0, limit) : balances;
  const last = items.at(-1);
  const nextCursor = balances.length > limit && last ? encodeTokenCursor(last) : null;
  return { items, nextCursor, tag: listTag(items, nextCursor) };
}

function listTag(items: Balance[], nextCursor: string | null): string {
  const versions = items.map((balance) => `${balance.id}:${balance.version}`).join(',');
  return createHash('sha256')
    .update(`${versions}|${nextCursor ?? ''}`)
    .digest('base64url')
    .slice(0, 27);
}

/** The cached form: `<tag> <json>` (a tag is base64url: no space). */
export function renderUserBalances({ items, nextCursor, tag }: UserBalanceList): string {
  return `${tag} ${toJsonText({ items, nextCursor })}`;
}

/** A cached list back; undefined for anything else under its key (an older version's form). */
export function readRenderedUserBalances(cached: unknown): RenderedUserBalances | undefined {
  if (typeof cached !== 'string') return undefined;
  const space = cached.indexOf(' ');
  if (space === -1) return undefined;
  return { tag: cached.slice(0, space), json: cached.slice(space + 1) };
}
