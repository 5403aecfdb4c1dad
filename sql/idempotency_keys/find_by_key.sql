/*
  Index: idx_idempotency_keys_pkey (subject, key)
  Plan:  Index Scan on idx_idempotency_keys_pkey, at most one row.
  Cache: none.
*/
/* @name IdempotencyKeyFindByKey */
SELECT key, request_fingerprint, response, created_at
FROM idempotency_keys
WHERE subject = :subject!
  AND key = :key!;
