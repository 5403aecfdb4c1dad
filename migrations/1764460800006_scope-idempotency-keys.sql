-- Why: idempotency keys were global, so two clients that happen to use the same key scheme got
-- each other's 422s, or each other's replays. A key now belongs to its caller (the bearer
-- token's subject), as Stripe scopes keys to an account: the same key from two subjects is
-- two keys.
--
-- * The primary key becomes (subject, key), built as a unique index first and then adopted.
--   The table holds about a day of keys (the purge deletes older ones), so the build is short.
-- * Keys claimed before this migration get the subject '' (the service's own scope, for
--   callers that name none): a client retrying one of them over HTTP in the 24 hours after the
--   deploy is not recognised, and its write runs again.
-- * The purge still deletes by created_at through idx_idempotency_keys_created.
--
-- Down: keys then collide across subjects; of each colliding group, the oldest is kept.

-- Up Migration
-- Bounded waits: a migration must fail fast rather than queue behind live traffic.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE idempotency_keys ADD COLUMN subject TEXT NOT NULL DEFAULT '';
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX idx_idempotency_keys_subject_key ON idempotency_keys (subject, key);
ALTER TABLE idempotency_keys DROP CONSTRAINT idx_idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD CONSTRAINT idx_idempotency_keys_pkey
  PRIMARY KEY USING INDEX idx_idempotency_keys_subject_key;

-- Down Migration
-- The down step restores the old schema exactly; it is for development, not for live traffic.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5min';

DELETE FROM idempotency_keys AS later
USING idempotency_keys AS earlier
WHERE later.key = earlier.key
  AND (later.created_at, later.subject) > (earlier.created_at, earlier.subject);
ALTER TABLE idempotency_keys DROP CONSTRAINT idx_idempotency_keys_pkey;
-- squawk-ignore constraint-missing-not-valid, adding-serial-primary-key-field
ALTER TABLE idempotency_keys ADD CONSTRAINT idx_idempotency_keys_pkey PRIMARY KEY (key);
-- squawk-ignore ban-drop-column
ALTER TABLE idempotency_keys DROP COLUMN subject;
