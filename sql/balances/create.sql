/*
  Index: idx_balances_user_token (user_id, token_id)
  Plan:  Insert; the unique index refuses a second balance for the same user and token
         (SQLSTATE 23505).
  Cache: invalidates balance:user:<userId>, balance:user:<userId>:total and
         balance:user:<userId>:token:<tokenId>.
*/
/* @name BalanceCreate */
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
          created_at, updated_at, version;
