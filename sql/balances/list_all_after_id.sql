/*
  Index: idx_balances_pkey (id)
  Plan:  Limit over an Index Scan on idx_balances_pkey starting after the cursor (id > $1 is
         an Index Cond), rows in id order, no Sort node. Cost does not grow with depth.
  Cache: none (pages vary).
*/
/* @name BalanceListAllAfterId */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE id > :afterId!
  AND deleted_at IS NULL
ORDER BY id
LIMIT :limit!;
