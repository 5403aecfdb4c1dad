/*
  Index: idx_balances_pkey (id)
  Plan:  Index Scan on idx_balances_pkey, at most one row.
  Cache: none (admins' journal reads of closed balances are rare).
  Open or closed: whom a journal belongs to, after the balance itself answers 404.
*/
/* @name BalanceFindIncludingClosed */
SELECT id, user_id, token_id, amount, deleted_at
FROM balances
WHERE id = :id!;
