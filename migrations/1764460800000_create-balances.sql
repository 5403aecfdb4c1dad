-- Why: the balances table of the seed's Balance model, with the indexes its queries name.
--
-- * Money is NUMERIC without a declared precision: a typmod such as NUMERIC(78,18) would pad
--   every amount to 18 decimals on the way out, so "1.5" would read back as
--   "1.500000000000000000". The scale CHECK keeps the 18-decimal limit instead, and writes
--   store trim_scale()d values, so an amount always reads back in its shortest form ("0", not
--   "0.0" after 12.5 - 12.5).
-- * `version` is bumped by every write; it is the ETag and the optimistic-concurrency token.
--   BIGINT because a busy wallet can outlive 2^31 writes.
-- * Timestamps are kept to the millisecond, the precision a JS Date and the API show, so a
--   timestamp read back names its row exactly (the keyset cursor of newest-first pages).
-- * The primary key keeps the seed's name (idx_balances_pkey), as do the four secondary indexes,
--   so the seed's runbook and dashboards keep working.
-- * idx_balances_user_token is the UNIQUE (user_id, token_id) constraint itself: one index both
--   enforces "one balance per user and token" and serves the per-user reads.

-- Up Migration
-- Bounded waits: a migration must fail fast rather than queue behind live traffic.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE balances (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  user_id BIGINT NOT NULL,
  token_id BIGINT NOT NULL,
  amount NUMERIC NOT NULL DEFAULT 0,
  usd_value NUMERIC NOT NULL DEFAULT 0,
  address TEXT,
  auto_convert_threshold NUMERIC,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  version BIGINT NOT NULL DEFAULT 1,
  CONSTRAINT idx_balances_pkey PRIMARY KEY (id),
  CONSTRAINT idx_balances_user_token UNIQUE (user_id, token_id),
  CONSTRAINT balances_amount_not_negative CHECK (amount >= 0),
  CONSTRAINT balances_amount_scale CHECK (scale(amount) <= 18),
  CONSTRAINT balances_usd_value_scale CHECK (scale(usd_value) <= 18),
  CONSTRAINT balances_auto_convert_threshold_scale CHECK (scale(auto_convert_threshold) <= 18),
  CONSTRAINT balances_address_length CHECK (char_length(address) BETWEEN 1 AND 255)
);

-- Newest-first pages: rows come out in index order, so neither OFFSET nor keyset pages sort.
CREATE INDEX idx_balances_user_created ON balances (user_id, created_at DESC, id DESC);

-- The per-user SUM(usd_value) reads only this index (Index Only Scan), never the heap.
CREATE INDEX idx_balances_user_usd ON balances (user_id, usd_value);

CREATE INDEX idx_balances_address ON balances (address);

-- Down Migration
DROP TABLE balances;
