-- Why: a write whose cache invalidation could not reach Redis (read-only after a failover,
-- MISCONF after a failed snapshot, a stall, a partition between this process and Redis) must
-- not leave other processes serving the value from before it. PostgreSQL is the channel that
-- still works: the writer records the invalidation here, every API process polls this table
-- and skips the cache for the recorded keys, and whichever process reaches Redis again applies
-- the invalidation and deletes the row. See README, "The service and its cache".
--
-- * key_prefix keeps deployments (and test runs) sharing one database apart: CACHE_KEY_PREFIX.
-- * generation_keys and value_keys are the keys as the cache names them, without the prefix.
-- * Rows live seconds: only while Redis refuses writes. An empty table is the normal state.

-- Up Migration
-- Bounded waits: a migration must fail fast rather than queue behind live traffic.
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE cache_invalidations (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  key_prefix TEXT NOT NULL,
  generation_keys TEXT[] NOT NULL,
  value_keys TEXT[] NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT idx_cache_invalidations_pkey PRIMARY KEY (id)
);

-- Each process polls its prefix's rows, oldest first, several times a second.
CREATE INDEX idx_cache_invalidations_prefix ON cache_invalidations (key_prefix, id);

-- Down Migration
DROP TABLE cache_invalidations;
