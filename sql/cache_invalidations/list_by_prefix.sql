/*
  Index: idx_cache_invalidations_prefix (key_prefix, id)
  Plan:  Index Scan or Bitmap Index Scan on idx_cache_invalidations_prefix. The table is empty
         but for the seconds Redis refuses writes, so a Sort of its few rows may follow.
  Cache: none (this is what tells a process which cached values not to trust).
*/
/* @name CacheInvalidationListByPrefix */
SELECT id, generation_keys, value_keys
FROM cache_invalidations
WHERE key_prefix = :keyPrefix!
ORDER BY key_prefix, id
LIMIT :limit!;
