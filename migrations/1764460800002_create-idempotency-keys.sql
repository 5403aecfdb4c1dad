-- Why: credits and debits retried by a client must not move money twice. A key is claimed in
-- the same transaction as the money movement, so a key exists exactly when its write committed.
--
-- * request_fingerprint is what the request was (operation, balance, amount); the same key with
--   another fingerprint is refused instead of replayed.
-- * response holds the first result, replayed as is: JSON, not JSONB, so a replay is the same
--   text, key order included. It is NULL only inside the claiming transaction, which no other
--   session can see.
-- * Keys are kept at least 24 hours; the purge deletes older ones in batches by created_at.

-- Up Migration
-- Bounded waits: a migration must fail fast rather than queue behind live traffic.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE idempotency_keys (
  key TEXT NOT NULL,
  request_fingerprint TEXT NOT NULL,
  response JSON,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT idx_idempotency_keys_pkey PRIMARY KEY (key),
  CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 255)
);

CREATE INDEX idx_idempotency_keys_created ON idempotency_keys (created_at);

-- Down Migration
DROP TABLE idempotency_keys;
