/** Types generated for queries found in "sql/idempotency_keys/find_by_key.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** 'IdempotencyKeyFindByKey' parameters type */
export interface IIdempotencyKeyFindByKeyParams {
  key: string;
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

const idempotencyKeyFindByKeyIR: any = {"usedParamSet":{"key":true},"params":[{"name":"key","required":true,"transform":{"type":"scalar"},"locs":[{"a":88,"b":92}]}],"statement":"SELECT key, request_fingerprint, response, created_at\nFROM idempotency_keys\nWHERE key = :key!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT key, request_fingerprint, response, created_at
 * FROM idempotency_keys
 * WHERE key = :key!
 * ```
 */
export const idempotencyKeyFindByKey = new PreparedQuery<IIdempotencyKeyFindByKeyParams,IIdempotencyKeyFindByKeyResult>(idempotencyKeyFindByKeyIR);


