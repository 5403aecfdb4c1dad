/** Types generated for queries found in "sql/idempotency_keys/save_response.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** 'IdempotencyKeySaveResponse' parameters type */
export interface IIdempotencyKeySaveResponseParams {
  key: string;
  response: Json;
  subject: string;
}

/** 'IdempotencyKeySaveResponse' return type */
export type IIdempotencyKeySaveResponseResult = void;

/** 'IdempotencyKeySaveResponse' query type */
export interface IIdempotencyKeySaveResponseQuery {
  params: IIdempotencyKeySaveResponseParams;
  result: IIdempotencyKeySaveResponseResult;
}

const idempotencyKeySaveResponseIR: any = {"usedParamSet":{"response":true,"subject":true,"key":true},"params":[{"name":"response","required":true,"transform":{"type":"scalar"},"locs":[{"a":39,"b":48}]},{"name":"subject","required":true,"transform":{"type":"scalar"},"locs":[{"a":72,"b":80}]},{"name":"key","required":true,"transform":{"type":"scalar"},"locs":[{"a":94,"b":98}]}],"statement":"UPDATE idempotency_keys\nSET response = :response!::json\nWHERE subject = :subject!\n  AND key = :key!"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE idempotency_keys
 * SET response = :response!::json
 * WHERE subject = :subject!
 *   AND key = :key!
 * ```
 */
export const idempotencyKeySaveResponse = new PreparedQuery<IIdempotencyKeySaveResponseParams,IIdempotencyKeySaveResponseResult>(idempotencyKeySaveResponseIR);


