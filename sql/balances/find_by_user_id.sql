/*
  Index: idx_balances_user_token (user_id, token_id)
  Plan:  Index Scan on idx_balances_user_token, rows in token order, no Sort node, stops at the
         limit.
  Cache: balance:user:<userId>, 1 minute.
  The index is partial (deleted_at IS NULL), so the query names that condition.
  The service asks for USER_BALANCES_LIMIT + 1 rows: the extra row only says that more follow
  (the list then carries a token-order cursor), so a user with 40,000 balances costs the same
  as one with 1,001.
*/
/* @name BalanceFindByUserId */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE user_id = :userId!
  AND deleted_at IS NULL
ORDER BY token_id
LIMIT :limit!;
