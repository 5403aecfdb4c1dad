/*
  Index: idx_balances_pkey (id)
  Plan:  Index Scan on idx_balances_pkey (locks the row), Update, Insert into balance_entries.
  Cache: invalidates balance:<id> and the owner's balance:user:* keys.
  A NULL amount or usdValue keeps the column; address and autoConvertThreshold are replaced
  only when their set* flag is true, so they can be cleared. With expectedVersion, a row at any
  other version is left alone and no row comes back. A change of amount is journaled as an
  'adjustment' entry of the signed difference. A closed balance is left alone.
*/
/* @name BalanceUpdate */
WITH previous AS (
  SELECT id, amount
  FROM balances
  WHERE id = :id!
    AND deleted_at IS NULL
  FOR UPDATE
), updated AS (
  UPDATE balances AS b
  SET amount = COALESCE(trim_scale(:amount::numeric), b.amount),
      usd_value = COALESCE(trim_scale(:usdValue::numeric), b.usd_value),
      address = CASE WHEN :setAddress!::boolean THEN :address::text ELSE b.address END,
      auto_convert_threshold = CASE
        WHEN :setAutoConvertThreshold!::boolean THEN trim_scale(:autoConvertThreshold::numeric)
        ELSE b.auto_convert_threshold
      END,
      version = b.version + 1,
      updated_at = now()
  FROM previous AS p
  WHERE b.id = p.id
    AND (:expectedVersion::bigint IS NULL OR b.version = :expectedVersion::bigint)
  RETURNING b.id, b.user_id, b.token_id, b.amount, b.usd_value, b.address,
            b.auto_convert_threshold, b.created_at, b.updated_at, b.version,
            p.amount AS previous_amount
), adjustment AS (
  INSERT INTO balance_entries (balance_id, kind, amount, balance_after)
  SELECT id, 'adjustment', trim_scale(amount - previous_amount), amount
  FROM updated
  WHERE amount <> previous_amount
)
SELECT id AS "id!", user_id AS "user_id!", token_id AS "token_id!", amount AS "amount!",
       usd_value AS "usd_value!", address, auto_convert_threshold,
       created_at AS "created_at!", updated_at AS "updated_at!", version AS "version!"
FROM updated;
