/*
  Index: idx_idempotency_keys_created (created_at)
  Plan:  Delete driven by a Limit over an Index Scan on idx_idempotency_keys_created, so each
         batch is short and locks few rows.
  Cache: none.
  Every subject's keys expire alike.
*/
/* @name IdempotencyKeyDeleteExpired */
DELETE FROM idempotency_keys
WHERE (subject, key) IN (
  SELECT subject, key
  FROM idempotency_keys
  WHERE created_at < :createdBefore!::timestamptz
  ORDER BY created_at
  LIMIT :batchSize!
);
