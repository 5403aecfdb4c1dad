/*
  Index: idx_balances_user_usd (user_id, usd_value)
  Plan:  Aggregate over an Index Only Scan on idx_balances_user_usd: the heap is not read
         (once VACUUM has marked the pages all-visible).
  Cache: balance:user:<userId>:total, 2 minutes.
  Closed balances count for nothing: a delete sets usd_value to 0 (it needs amount 0), so the
  sum needs no deleted_at condition and stays an Index Only Scan.
*/
/* @name BalanceTotalUsdByUser */
SELECT COALESCE(SUM(usd_value), 0) AS "total_usd!"
FROM balances
WHERE user_id = :userId!;
