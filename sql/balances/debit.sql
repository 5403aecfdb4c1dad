/*
  Index: idx_balances_pkey (id)
  Plan:  Index Scan on idx_balances_pkey, Update, Insert into balance_entries, all in one
         statement.
  Cache: invalidates balance:<id> and the owner's balance:user:* keys.
  The guard `amount >= :amount` is re-checked by PostgreSQL against the newest row version
  when a concurrent debit commits first (READ COMMITTED re-evaluation), so concurrent debits
  can never take the balance below zero. No row back means: no such (open) balance, or not
  enough. transferId is NULL for a plain debit and names the transfer for the debit side of one.
*/
/* @name BalanceDebit */
WITH debited AS (
  UPDATE balances
  SET amount = trim_scale(amount - :amount!::numeric),
      version = version + 1,
      updated_at = now()
  WHERE id = :id!
    AND deleted_at IS NULL
    AND amount >= :amount!::numeric
  RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
            created_at, updated_at, version
), entry AS (
  INSERT INTO balance_entries (balance_id, kind, amount, balance_after, transfer_id)
  SELECT id, 'debit', trim_scale(:amount!::numeric), amount, :transferId::bigint
  FROM debited
  RETURNING id, created_at
)
SELECT d.id AS "id!", d.user_id AS "user_id!", d.token_id AS "token_id!", d.amount AS "amount!",
       d.usd_value AS "usd_value!", d.address, d.auto_convert_threshold,
       d.created_at AS "created_at!", d.updated_at AS "updated_at!", d.version AS "version!",
       e.id AS "entry_id!", e.created_at AS "entry_created_at!"
FROM debited AS d, entry AS e;
