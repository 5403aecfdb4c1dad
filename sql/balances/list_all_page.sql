/*
  Index: idx_balances_pkey (id)
  Plan:  Limit over an Index Scan on idx_balances_pkey in id order, no Sort node.
  Cache: none (pages vary).
*/
/* @name BalanceListAllPage */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE deleted_at IS NULL
ORDER BY id
LIMIT :limit!
OFFSET :offset!;
