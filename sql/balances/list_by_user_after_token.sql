/*
  Index: idx_balances_user_token (user_id, token_id)
  Plan:  Index Scan on idx_balances_user_token starting after the cursor's token (token_id > is
         an Index Cond), rows in token order, no Sort node. Cost does not grow with depth.
  Cache: none (pages vary).
  The pages that continue the bounded list (find_by_user_id.sql) in its own order: the cursor
  is the token of the last balance served. A user holds one open balance per token, so the
  token alone names a position.
*/
/* @name BalanceListByUserAfterToken */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE user_id = :userId!
  AND deleted_at IS NULL
  AND token_id > :afterTokenId!::bigint
ORDER BY token_id
LIMIT :limit!;
