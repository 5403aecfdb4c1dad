/*
  Index: idx_balance_entries_transfer (transfer_id)
  Plan:  Index Scan on idx_balance_entries_transfer, a partial index (transfer_id IS NOT
         NULL) that transfer_id = $1 implies; two rows, the debit and the credit.
  Cache: none (read with its transfer).
*/
/* @name BalanceEntryListByTransfer */
SELECT id, balance_id, kind, amount, balance_after, transfer_id, created_at
FROM balance_entries
WHERE transfer_id = :transferId!
ORDER BY id;
