/** Types generated for queries found in "sql/idempotency_keys/save_response.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** 'IdempotencyKeySaveResponse' parameters type */
export interface IIdempotencyKeySaveResponseParams {
  key: string;
  response: Json;
}

/** 'IdempotencyKeySaveResponse' return type */
export type IIdempotencyKeySaveResponseResult = void;

/** 'IdempotencyKeySaveResponse' query type */
export interface IIdempotencyKeySaveResponseQuery {
  params: IIdempotencyKeySaveResponseParams;
  result: IIdempotencyKeySaveResponseResult;
}

const idempotencyKeySaveResponseIR: any = {"usedParamSet":{"response":true,"key":true},"params":[{"name":"response","required":true,"transform":{"type":"scalar"},"locs":[{"a":39,"b":48}]},{"name":"key","required":true,"transform":{"type":"scalar"},"locs":[{"a":68,"b":72}]}],"statement":"UPDATE idempotency_keys\nSET response = :response!::json\nWHERE key = :key!"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE idempotency_keys
 * SET response = :response!::json
 * WHERE key = :key!
 * ```
 */
export const idempotencyKeySaveResponse = new PreparedQuery<IIdempotencyKeySaveResponseParams,IIdempotencyKeySaveResponseResult>(idempotencyKeySaveResponseIR);


