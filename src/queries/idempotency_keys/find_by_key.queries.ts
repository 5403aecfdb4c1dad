/** Types generated for queries found in "sql/idempotency_keys/find_by_key.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** 'IdempotencyKeyFindByKey' parameters type */
export interface IIdempotencyKeyFindByKeyParams {
  key: string;
  subject: string;
}

/** 'IdempotencyKeyFindByKey' return type */
export interface IIdempotencyKeyFindByKeyResult {
  created_at: Date;
  key: string;
  request_fingerprint: string;
  response: Json | null;
}

/** 'IdempotencyKeyFindByKey' query type */
export interface IIdempotencyKeyFindByKeyQuery {
  params: IIdempotencyKeyFindByKeyParams;
  result: IIdempotencyKeyFindByKeyResult;
}

const idempotencyKeyFindByKeyIR: any = {"usedParamSet":{"subject":true,"key":true},"params":[{"name":"subject","required":true,"transform":{"type":"scalar"},"locs":[{"a":92,"b":100}]},{"name":"key","required":true,"transform":{"type":"scalar"},"locs":[{"a":114,"b":118}]}],"statement":"SELECT key, request_fingerprint, response, created_at\nFROM idempotency_keys\nWHERE subject = :subject!\n  AND key = :key!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT key, request_fingerprint, response, created_at
 * FROM idempotency_keys
 * WHERE subject = :subject!
 *   AND key = :key!
 * ```
 */
export const idempotencyKeyFindByKey = new PreparedQuery<IIdempotencyKeyFindByKeyParams,IIdempotencyKeyFindByKeyResult>(idempotencyKeyFindByKeyIR);


