/*
  Index: idx_idempotency_keys_pkey (subject, key)
  Plan:  Insert; ON CONFLICT checks idx_idempotency_keys_pkey.
  Cache: none.
  Run first in the transaction of a credit, debit or transfer. A key belongs to its subject
  (the caller): the same key from another subject is another key. A concurrent claim of the
  same key waits here until the first transaction ends; no row back means the key is already
  taken, and find_by_key tells by whom.
*/
/* @name IdempotencyKeyClaim */
INSERT INTO idempotency_keys (subject, key, request_fingerprint)
VALUES (:subject!, :key!, :requestFingerprint!)
ON CONFLICT (subject, key) DO NOTHING
RETURNING key;
