/*
  Index: idx_idempotency_keys_pkey (subject, key)
  Plan:  Index Scan on idx_idempotency_keys_pkey, Update.
  Cache: none.
  Run last in the claiming transaction, so a committed key always has its response.
*/
/* @name IdempotencyKeySaveResponse */
UPDATE idempotency_keys
SET response = :response!::json
WHERE subject = :subject!
  AND key = :key!;
