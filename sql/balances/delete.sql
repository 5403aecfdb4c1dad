/*
  Index: idx_balances_pkey (id)
  Plan:  Index Scan on idx_balances_pkey, Delete; the journal's rows go with it
         (ON DELETE CASCADE through idx_balance_entries_balance).
  Cache: invalidates balance:<id> and the owner's balance:user:* keys (hence the RETURNING).
*/
/* @name BalanceDelete */
DELETE FROM balances
WHERE id = :id!
RETURNING id, user_id, token_id;
