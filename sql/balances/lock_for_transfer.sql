/*
  Index: idx_balances_pkey (id)
  Plan:  LockRows over an Index Scan on idx_balances_pkey, rows in id order, no Sort node.
  Cache: none (it changes nothing; the transfer's credit and debit invalidate).
  The first statement of a transfer locks both balances, always lowest id first, whichever
  way the money goes: two transfers between the same balances queue instead of deadlocking.
  Closed balances are not returned (and not locked).
*/
/* @name BalanceLockForTransfer */
SELECT id, user_id, token_id, amount
FROM balances
WHERE id IN (:fromId!, :toId!)
  AND deleted_at IS NULL
ORDER BY id
FOR UPDATE;
