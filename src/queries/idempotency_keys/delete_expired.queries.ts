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

const idempotencyKeyDeleteExpiredIR: any = {"usedParamSet":{"createdBefore":true,"batchSize":true},"params":[{"name":"createdBefore","required":true,"transform":{"type":"scalar"},"locs":[{"a":122,"b":136}]},{"name":"batchSize","required":true,"transform":{"type":"scalar"},"locs":[{"a":181,"b":191}]}],"statement":"DELETE FROM idempotency_keys\nWHERE (subject, key) IN (\n  SELECT subject, key\n  FROM idempotency_keys\n  WHERE created_at < :createdBefore!::timestamptz\n  ORDER BY created_at\n  LIMIT :batchSize!\n)"};

/**
 * Query generated from SQL:
 * ```
 * DELETE FROM idempotency_keys
 * WHERE (subject, key) IN (
 *   SELECT subject, key
 *   FROM idempotency_keys
 *   WHERE created_at < :createdBefore!::timestamptz
 *   ORDER BY created_at
 *   LIMIT :batchSize!
 * )
 * ```
 */
export const idempotencyKeyDeleteExpired = new PreparedQuery<IIdempotencyKeyDeleteExpiredParams,IIdempotencyKeyDeleteExpiredResult>(idempotencyKeyDeleteExpiredIR);


