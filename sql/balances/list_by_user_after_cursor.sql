/*
  Index: idx_balances_user_created (user_id, created_at DESC, id DESC)
  Plan:  Index Scan on idx_balances_user_created starting at the cursor (the row comparison is
         an Index Cond), rows in index order, no Sort node. Cost does not grow with depth.
  Cache: none (pages vary).
  The cursor is the (created_at, id) of the last row of the previous page.
*/
/* @name BalanceListByUserAfterCursor */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE user_id = :userId!
  AND deleted_at IS NULL
  AND (created_at, id) < (:createdAt!::timestamptz, :id!::bigint)
ORDER BY created_at DESC, id DESC
LIMIT :limit!;
