/*
  Index: idx_balances_user_token (user_id, token_id)
  Plan:  Index Scan on idx_balances_user_token, rows in token order, no Sort node.
  Cache: balance:user:<userId>, 1 minute.
  The index is partial (deleted_at IS NULL), so the query names that condition.
  A user holds one open row per token, so the result is bounded by the number of tokens.
*/
/* @name BalanceFindByUserId */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE user_id = :userId!
  AND deleted_at IS NULL
ORDER BY token_id;
