-- Why: moving value between two balances as a debit and a credit in two requests destroys or
-- creates value when the second fails. A transfer is one transaction that debits one balance
-- and credits the other (same token), recorded here and journaled on both sides.
--
-- * Each side of a transfer is an ordinary 'debit' or 'credit' entry carrying transfer_id, so
--   every sum of the journal (debits counted negatively) keeps its meaning, and a transfer's
--   two entries cancel out: transfers conserve the total across balances.
-- * idx_balance_entries_transfer is partial (transfer_id IS NOT NULL): most entries are not
--   transfers, and only transfer lookups use it.
-- * The journal's key to transfers is added NOT VALID (the new column is all NULL) and
--   validated by a later migration, as the balance key of 0004 is.
-- * No ON DELETE: balances are closed, never deleted (migration 0004), and a transfer keeps
--   naming both of them.

-- Up Migration
-- Bounded waits: a migration must fail fast rather than queue behind live traffic.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE transfers (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  from_balance_id BIGINT NOT NULL,
  to_balance_id BIGINT NOT NULL,
  amount NUMERIC NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT idx_transfers_pkey PRIMARY KEY (id),
  CONSTRAINT transfers_from_balance_fkey FOREIGN KEY (from_balance_id) REFERENCES balances (id),
  CONSTRAINT transfers_to_balance_fkey FOREIGN KEY (to_balance_id) REFERENCES balances (id),
  CONSTRAINT transfers_two_balances CHECK (from_balance_id <> to_balance_id),
  CONSTRAINT transfers_amount_positive CHECK (amount > 0),
  CONSTRAINT transfers_amount_scale CHECK (scale(amount) <= 18)
);

ALTER TABLE balance_entries ADD COLUMN transfer_id BIGINT;
ALTER TABLE balance_entries ADD CONSTRAINT balance_entries_transfer_id_fkey
  FOREIGN KEY (transfer_id) REFERENCES transfers (id) NOT VALID;

-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_balance_entries_transfer ON balance_entries (transfer_id)
  WHERE transfer_id IS NOT NULL;

-- Down Migration
-- The transfers' journal entries stay, as plain credits and debits: the journal still sums.
-- squawk-ignore require-concurrent-index-deletion
DROP INDEX idx_balance_entries_transfer;
-- squawk-ignore ban-drop-column
ALTER TABLE balance_entries DROP COLUMN transfer_id;
DROP TABLE transfers;
