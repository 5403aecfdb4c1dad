/** Types generated for queries found in "sql/idempotency_keys/claim.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

/** 'IdempotencyKeyClaim' parameters type */
export interface IIdempotencyKeyClaimParams {
  key: string;
  requestFingerprint: string;
  subject: string;
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

const idempotencyKeyClaimIR: any = {"usedParamSet":{"subject":true,"key":true,"requestFingerprint":true},"params":[{"name":"subject","required":true,"transform":{"type":"scalar"},"locs":[{"a":73,"b":81}]},{"name":"key","required":true,"transform":{"type":"scalar"},"locs":[{"a":84,"b":88}]},{"name":"requestFingerprint","required":true,"transform":{"type":"scalar"},"locs":[{"a":91,"b":110}]}],"statement":"INSERT INTO idempotency_keys (subject, key, request_fingerprint)\nVALUES (:subject!, :key!, :requestFingerprint!)\nON CONFLICT (subject, key) DO NOTHING\nRETURNING key"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO idempotency_keys (subject, key, request_fingerprint)
 * VALUES (:subject!, :key!, :requestFingerprint!)
 * ON CONFLICT (subject, key) DO NOTHING
 * RETURNING key
 * ```
 */
export const idempotencyKeyClaim = new PreparedQuery<IIdempotencyKeyClaimParams,IIdempotencyKeyClaimResult>(idempotencyKeyClaimIR);


