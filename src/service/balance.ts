/**
 * What the service returns: camelCase, ids and money as decimal strings, timestamps as ISO 8601
 * strings (so a value survives the cache's JSON unchanged). Rows stay snake_case until mapped
 * here, in one place.
 */

export interface Balance {
  id: string;
  userId: string;
  tokenId: string;
  amount: string;
  usdValue: string;
  address: string | null;
  autoConvertThreshold: string | null;
  createdAt: string;
  updatedAt: string;
  /** Bumped by every write; the ETag and the optimistic-concurrency token. */
  version: string;
}

export type EntryKind = 'credit' | 'debit' | 'adjustment';

/** One line of a balance's journal. */
export interface BalanceEntry {
  id: string;
  balanceId: string;
  kind: EntryKind;
  /** Positive for credits and debits; the signed change for an adjustment. */
  amount: string;
  balanceAfter: string;
  /** The transfer this entry is one side of (a debit from one balance, a credit to the other). */
  transferId: string | null;
  createdAt: string;
}

/** The result of a credit or debit. */
export interface Movement {
  balance: Balance;
  entry: BalanceEntry;
  /** True when an idempotency key matched an earlier request and this is its first result. */
  replayed: boolean;
}

/**
 * Value moved from one balance to another of the same token, in one transaction: journaled as
 * a debit of `fromBalanceId` and a credit of `toBalanceId`, both carrying the transfer's id.
 */
export interface Transfer {
  id: string;
  fromBalanceId: string;
  toBalanceId: string;
  amount: string;
  createdAt: string;
  /** The two journal entries: the debit of the source and the credit of the destination. */
  debit: BalanceEntry;
  credit: BalanceEntry;
}

/** The result of a transfer: the transfer and both balances right after it. */
export interface TransferResult {
  transfer: Transfer;
  from: Balance;
  to: Balance;
  /** True when an idempotency key matched an earlier request and this is its first result. */
  replayed: boolean;
}

/** A page read by keyset: `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface BalanceRow {
  id: string;
  user_id: string;
  token_id: string;
  amount: string;
  usd_value: string;
  address: string | null;
  auto_convert_threshold: string | null;
  created_at: Date;
  updated_at: Date;
  version: string;
}

interface EntryRow {
  id: string;
  balance_id: string;
  kind: string;
  amount: string;
  balance_after: string;
  transfer_id: string | null;
  created_at: Date;
}

export function toBalance(row: BalanceRow): Balance {
  return {
    id: row.id,
    userId: row.user_id,
    tokenId: row.token_id,
    amount: row.amount,
    usdValue: row.usd_value,
    address: row.address,
    autoConvertThreshold: row.auto_convert_threshold,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

export function toEntry(row: EntryRow): BalanceEntry {
  return {
    id: row.id,
    balanceId: row.balance_id,
    kind: row.kind as EntryKind,
    amount: row.amount,
    balanceAfter: row.balance_after,
    transferId: row.transfer_id,
    createdAt: row.created_at.toISOString(),
  };
}
