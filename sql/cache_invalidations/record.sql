/*
  Index: idx_cache_invalidations_pkey (id)
  Plan:  Insert.
  Cache: none.
  Run after a write committed and its invalidation could not reach Redis; the writer then
  waits one lease before acknowledging, so every process has seen the row by then.
*/
/* @name CacheInvalidationRecord */
INSERT INTO cache_invalidations (key_prefix, generation_keys, value_keys)
VALUES (:keyPrefix!, :generationKeys!::text[], :valueKeys!::text[])
RETURNING id;
