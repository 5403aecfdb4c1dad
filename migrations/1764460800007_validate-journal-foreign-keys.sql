-- Why: migrations 0004 and 0005 added the journal's foreign keys NOT VALID, so that adding them
-- took no long lock. Validating them here, in a transaction of their own, scans
-- balance_entries under SHARE UPDATE EXCLUSIVE: reads and writes go on meanwhile.

-- Up Migration
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '30min';

ALTER TABLE balance_entries VALIDATE CONSTRAINT balance_entries_balance_id_fkey;
ALTER TABLE balance_entries VALIDATE CONSTRAINT balance_entries_transfer_id_fkey;

-- Down Migration
-- Nothing to undo: a validated key is the same key. 0005's and 0004's down steps drop them.
SELECT 1;
