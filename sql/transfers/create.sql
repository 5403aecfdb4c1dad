/*
  Index: idx_transfers_pkey (id)
  Plan:  Insert; the foreign keys check idx_balances_pkey for both balances.
  Cache: none (the transfer's credit and debit invalidate).
  Run after lock_for_transfer, before the debit and the credit that carry its id.
*/
/* @name TransferCreate */
INSERT INTO transfers (from_balance_id, to_balance_id, amount)
VALUES (:fromId!, :toId!, trim_scale(:amount!::numeric))
RETURNING id, from_balance_id, to_balance_id, amount, created_at;
