/*
  Index: idx_balances_pkey (id)
  Plan:  Index Scan on idx_balances_pkey, Update.
  Cache: invalidates balance:<id> and the owner's balance:user:* keys (hence the RETURNING).
  A delete closes the balance (soft delete): the row and its journal stay, so the journal still
  sums to every balance that ever existed. Only an open balance holding exactly 0 closes; no
  row back means no such open balance, or one that is not empty (the guard is re-checked
  against the newest row version, so a concurrent credit cannot slip in between). usd_value
  goes to 0 with the amount, so per-user totals need not look at deleted_at.
*/
/* @name BalanceDelete */
UPDATE balances
SET deleted_at = now(),
    usd_value = 0,
    version = version + 1,
    updated_at = now()
WHERE id = :id!
  AND deleted_at IS NULL
  AND amount = 0
RETURNING id, user_id, token_id;
