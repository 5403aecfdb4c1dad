/*
  Index: idx_balance_entries_balance (balance_id, id DESC)
  Plan:  Index Scan on idx_balance_entries_balance starting below beforeId, rows in index
         order, no Sort node. Cost does not grow with depth.
  Cache: none (pages vary).
  Closed balances keep their journal: this query does not look at balances at all.
  A NULL beforeId asks for the newest page; the next page passes the last entry's id.
*/
/* @name BalanceEntryListByBalance */
SELECT id, balance_id, kind, amount, balance_after, transfer_id, created_at
FROM balance_entries
WHERE balance_id = :balanceId!
  AND id < COALESCE(:beforeId::bigint, 9223372036854775807)
ORDER BY id DESC
LIMIT :limit!;
