/*
  Index: idx_idempotency_keys_pkey (key)
  Plan:  Insert; ON CONFLICT checks idx_idempotency_keys_pkey.
  Cache: none.
  Run first in the transaction of a credit or debit. A concurrent claim of the same key waits
  here until the first transaction ends; no row back means the key is already taken, and
  find_by_key tells by whom.
*/
/* @name IdempotencyKeyClaim */
INSERT INTO idempotency_keys (key, request_fingerprint)
VALUES (:key!, :requestFingerprint!)
ON CONFLICT (key) DO NOTHING
RETURNING key;
