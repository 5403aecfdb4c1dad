/*
  Index: idx_balances_pkey (id)
  Plan:  Index Scan on idx_balances_pkey, Update, Insert into balance_entries, all in one
         statement, so the journal entry exists exactly when the balance changed.
  Cache: invalidates balance:<id> and the owner's balance:user:* keys.
  A closed balance is left alone (no row back). transferId is NULL for a plain credit and names
  the transfer for the credit side of one.
*/
/* @name BalanceCredit */
WITH credited AS (
  UPDATE balances
  SET amount = trim_scale(amount + :amount!::numeric),
      version = version + 1,
      updated_at = now()
  WHERE id = :id!
    AND deleted_at IS NULL
  RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
            created_at, updated_at, version
), entry AS (
  INSERT INTO balance_entries (balance_id, kind, amount, balance_after, transfer_id)
  SELECT id, 'credit', trim_scale(:amount!::numeric), amount, :transferId::bigint
  FROM credited
  RETURNING id, created_at
)
SELECT c.id AS "id!", c.user_id AS "user_id!", c.token_id AS "token_id!", c.amount AS "amount!",
       c.usd_value AS "usd_value!", c.address, c.auto_convert_threshold,
       c.created_at AS "created_at!", c.updated_at AS "updated_at!", c.version AS "version!",
       e.id AS "entry_id!", e.created_at AS "entry_created_at!"
FROM credited AS c, entry AS e;
