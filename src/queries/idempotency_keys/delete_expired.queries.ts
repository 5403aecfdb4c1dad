/** Types generated for queries found in "sql/idempotency_keys/delete_expired.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type DateOrString = Date | string;

export type NumberOrString = number | string;

/** 'IdempotencyKeyDeleteExpired' parameters type */
export interface IIdempotencyKeyDeleteExpiredParams {
  batchSize: NumberOrString;
  createdBefore: DateOrString;
}

/** 'IdempotencyKeyDeleteExpired' return type */
export type IIdempotencyKeyDeleteExpiredResult = void;

/** 'IdempotencyKeyDeleteExpired' query type */
export interface IIdempotencyKeyDeleteExpiredQuery {
  params: IIdempotencyKeyDeleteExpiredParams;
  result: IIdempotencyKeyDeleteExpiredResult;
}

const idempotencyKeyDeleteExpiredIR: any = {"usedParamSet":{"createdBefore":true,"batchSize":true},"params":[{"name":"createdBefore","required":true,"transform":{"type":"scalar"},"locs":[{"a":102,"b":116}]},{"name":"batchSize","required":true,"transform":{"type":"scalar"},"locs":[{"a":161,"b":171}]}],"statement":"DELETE FROM idempotency_keys\nWHERE key IN (\n  SELECT key\n  FROM idempotency_keys\n  WHERE created_at < :createdBefore!::timestamptz\n  ORDER BY created_at\n  LIMIT :batchSize!\n)"};

/**
 * Query generated from SQL:
 * ```
 * DELETE FROM idempotency_keys
 * WHERE key IN (
 *   SELECT key
 *   FROM idempotency_keys
 *   WHERE created_at < :createdBefore!::timestamptz
 *   ORDER BY created_at
 *   LIMIT :batchSize!
 * )
 * ```
 */
export const idempotencyKeyDeleteExpired = new PreparedQuery<IIdempotencyKeyDeleteExpiredParams,IIdempotencyKeyDeleteExpiredResult>(idempotencyKeyDeleteExpiredIR);


