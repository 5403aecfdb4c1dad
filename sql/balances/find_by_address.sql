/*
  Index: idx_balances_address (address)
  Plan:  Index Scan (or Bitmap Index Scan) on idx_balances_address.
  Cache: none (the original model does not cache address lookups).
  An address may hold several tokens; the page bounds the answer.
*/
/* @name BalanceFindByAddress */
SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
       created_at, updated_at, version
FROM balances
WHERE address = :address!
  AND deleted_at IS NULL
ORDER BY id
LIMIT :limit!;
