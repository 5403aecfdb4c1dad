/** Types generated for queries found in "sql/idempotency_keys/claim.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

/** 'IdempotencyKeyClaim' parameters type */
export interface IIdempotencyKeyClaimParams {
  key: string;
  requestFingerprint: string;
}

/** 'IdempotencyKeyClaim' return type */
export interface IIdempotencyKeyClaimResult {
  key: string;
}

/** 'IdempotencyKeyClaim' query type */
export interface IIdempotencyKeyClaimQuery {
  params: IIdempotencyKeyClaimParams;
  result: IIdempotencyKeyClaimResult;
}

const idempotencyKeyClaimIR: any = {"usedParamSet":{"key":true,"requestFingerprint":true},"params":[{"name":"key","required":true,"transform":{"type":"scalar"},"locs":[{"a":64,"b":68}]},{"name":"requestFingerprint","required":true,"transform":{"type":"scalar"},"locs":[{"a":71,"b":90}]}],"statement":"INSERT INTO idempotency_keys (key, request_fingerprint)\nVALUES (:key!, :requestFingerprint!)\nON CONFLICT (key) DO NOTHING\nRETURNING key"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO idempotency_keys (key, request_fingerprint)
 * VALUES (:key!, :requestFingerprint!)
 * ON CONFLICT (key) DO NOTHING
 * RETURNING key
 * ```
 */
export const idempotencyKeyClaim = new PreparedQuery<IIdempotencyKeyClaimParams,IIdempotencyKeyClaimResult>(idempotencyKeyClaimIR);


