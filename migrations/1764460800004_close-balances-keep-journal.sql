-- Why: deleting a balance erased its journal (ON DELETE CASCADE), so the books no longer summed
-- to every balance that ever existed. A delete now closes the balance instead (soft delete):
--
-- * deleted_at is set by the delete and never cleared; every read and write of the service
--   skips a closed balance, which answers 404 as a deleted one did. Its row and its journal
--   stay, so the journal still sums to it (the delete is refused unless the amount is 0).
-- * idx_balances_user_token becomes a partial unique index WHERE deleted_at IS NULL: a closed
--   balance frees its (user, token) pair, so the user can open a new balance for that token.
--   The per-user queries name `deleted_at IS NULL`, so the planner can use the partial index.
-- * The journal's foreign key becomes ON DELETE RESTRICT: a DELETE FROM balances typed by hand
--   is refused instead of silently taking the journal with it. It is added NOT VALID (every
--   row already satisfied the old key) and validated by a later migration, in a transaction of
--   its own, under a lock that lets reads and writes through.
--
-- Down: the old schema cannot hold closed balances (the full unique constraint would reject a
-- closed pair beside its successor), so the down step deletes closed balances and their
-- journals, which is what the old delete did.

-- Up Migration
-- Bounded waits: a migration must fail fast rather than queue behind live traffic.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE balances ADD COLUMN deleted_at TIMESTAMPTZ(3);

ALTER TABLE balances DROP CONSTRAINT idx_balances_user_token;
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX idx_balances_user_token ON balances (user_id, token_id)
  WHERE deleted_at IS NULL;

ALTER TABLE balance_entries DROP CONSTRAINT balance_entries_balance_id_fkey;
ALTER TABLE balance_entries ADD CONSTRAINT balance_entries_balance_id_fkey
  FOREIGN KEY (balance_id) REFERENCES balances (id) ON DELETE RESTRICT NOT VALID;

-- Down Migration
-- The down step restores the old schema exactly; it is for development, not for live traffic,
-- so it takes the locks the old schema's own migration took.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE balance_entries DROP CONSTRAINT balance_entries_balance_id_fkey;
-- squawk-ignore constraint-missing-not-valid, adding-foreign-key-constraint
ALTER TABLE balance_entries ADD CONSTRAINT balance_entries_balance_id_fkey
  FOREIGN KEY (balance_id) REFERENCES balances (id) ON DELETE CASCADE;

DELETE FROM balances WHERE deleted_at IS NOT NULL;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX idx_balances_user_token;
-- squawk-ignore constraint-missing-not-valid, disallowed-unique-constraint
ALTER TABLE balances ADD CONSTRAINT idx_balances_user_token UNIQUE (user_id, token_id);

-- squawk-ignore ban-drop-column
ALTER TABLE balances DROP COLUMN deleted_at;
