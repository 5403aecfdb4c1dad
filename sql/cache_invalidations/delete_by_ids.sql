/*
  Index: idx_cache_invalidations_pkey (id)
  Plan:  Delete driven by an Index Scan on idx_cache_invalidations_pkey.
  Cache: none.
  Run once the recorded invalidations have reached Redis.
*/
/* @name CacheInvalidationDeleteByIds */
DELETE FROM cache_invalidations
WHERE id = ANY(:ids!::bigint[]);
