/*
  Index: idx_balances_user_token (user_id, token_id)
  Plan:  Insert; the unique index refuses a second balance for the same user and token
         (SQLSTATE 23505). A non-zero opening amount is journaled as an 'adjustment' in the
         same statement, so the journal always sums to the balance.
  Cache: invalidates balance:user:<userId>, balance:user:<userId>:total and
         balance:user:<userId>:token:<tokenId>.
*/
/* @name BalanceCreate */
WITH created AS (
  INSERT INTO balances (user_id, token_id, amount, usd_value, address, auto_convert_threshold)
  VALUES (
    :userId!,
    :tokenId!,
    trim_scale(:amount!::numeric),
    trim_scale(:usdValue!::numeric),
    :address::text,
    trim_scale(:autoConvertThreshold::numeric)
  )
  RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
            created_at, updated_at, version
), opening AS (
  INSERT INTO balance_entries (balance_id, kind, amount, balance_after, created_at)
  SELECT id, 'adjustment', amount, amount, created_at
  FROM created
  WHERE amount <> 0
)
SELECT id AS "id!", user_id AS "user_id!", token_id AS "token_id!", amount AS "amount!",
       usd_value AS "usd_value!", address, auto_convert_threshold,
       created_at AS "created_at!", updated_at AS "updated_at!", version AS "version!"
FROM created;
