/*
  Index: idx_balances_user_created (user_id, created_at DESC, id DESC)
  Plan:  Index Scan on idx_balances_user_created, rows in index order, no Sort node.
         OFFSET still reads and discards the skipped rows: deep pages use the cursor query.
  Cache: none (pages vary).
*/
/* @name BalanceListByUserPage */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE user_id = :userId!
  AND deleted_at IS NULL
ORDER BY created_at DESC, id DESC
LIMIT :limit!
OFFSET :offset!;
