/*
  Index: idx_balances_pkey (id)
  Plan:  Index Scan on idx_balances_pkey, at most one row.
  Cache: balance:<id>, 5 minutes.
  A closed (deleted) balance is not found.
*/
/* @name BalanceFindById */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE id = :id!
  AND deleted_at IS NULL;
