/*
  Index: idx_transfers_pkey (id)
  Plan:  Index Scan on idx_transfers_pkey, at most one row.
  Cache: none (a transfer never changes, but it is read rarely).
*/
/* @name TransferFindById */
SELECT id, from_balance_id, to_balance_id, amount, created_at
FROM transfers
WHERE id = :id!;
