-- Why: the journal of every change to a balance's amount. A credit or debit writes its entry in
-- the same statement as the balance change, so the journal and the balance cannot disagree.
--
-- * kind 'credit' and 'debit' carry a positive amount; 'adjustment' (an opening amount, or an
--   `update` that sets the amount directly) carries the signed difference, so the journal,
--   debits counted negatively, sums to the balance.
-- * balance_after is the amount right after this entry: an auditor can check each step alone.
-- * Entries go with their balance (ON DELETE CASCADE): a deleted balance has no journal to page.

-- Up Migration
-- Bounded waits: a migration must fail fast rather than queue behind live traffic.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE balance_entries (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  balance_id BIGINT NOT NULL REFERENCES balances (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  amount NUMERIC NOT NULL,
  balance_after NUMERIC NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT idx_balance_entries_pkey PRIMARY KEY (id),
  CONSTRAINT balance_entries_kind CHECK (kind IN ('credit', 'debit', 'adjustment')),
  CONSTRAINT balance_entries_amount_sign CHECK (
    CASE kind WHEN 'adjustment' THEN amount <> 0 ELSE amount > 0 END
  ),
  CONSTRAINT balance_entries_balance_after_not_negative CHECK (balance_after >= 0)
);

-- A balance's journal, newest first, paged by keyset on id. Also serves the foreign key's
-- cascade on delete.
CREATE INDEX idx_balance_entries_balance ON balance_entries (balance_id, id DESC);

-- Down Migration
DROP TABLE balance_entries;
