/*
  Index: idx_balances_user_token (user_id, token_id)
  Plan:  Index Scan on idx_balances_user_token, at most one row (the index is unique
         among open balances; it is partial, so the query names deleted_at IS NULL).
  Cache: balance:user:<userId>:token:<tokenId>, 5 minutes.
*/
/* @name BalanceFindByUserIdAndTokenId */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE user_id = :userId!
  AND token_id = :tokenId!
  AND deleted_at IS NULL;
