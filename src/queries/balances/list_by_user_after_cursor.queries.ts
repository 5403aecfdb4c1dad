/** Types generated for queries found in "sql/balances/list_by_user_after_cursor.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type DateOrString = Date | string;

export type NumberOrString = number | string;

/** 'BalanceListByUserAfterCursor' parameters type */
export interface IBalanceListByUserAfterCursorParams {
  createdAt: DateOrString;
  id: NumberOrString;
  limit: NumberOrString;
  userId: NumberOrString;
}

/** 'BalanceListByUserAfterCursor' return type */
export interface IBalanceListByUserAfterCursorResult {
  address: string | null;
  amount: string;
  auto_convert_threshold: string | null;
  created_at: Date;
  id: string;
  token_id: string;
  updated_at: Date;
  usd_value: string;
  user_id: string;
  version: string;
}

/** 'BalanceListByUserAfterCursor' query type */
export interface IBalanceListByUserAfterCursorQuery {
  params: IBalanceListByUserAfterCursorParams;
  result: IBalanceListByUserAfterCursorResult;
}

const balanceListByUserAfterCursorIR: any = {"usedParamSet":{"userId":true,"createdAt":true,"id":true,"limit":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":151,"b":158}]},{"name":"createdAt","required":true,"transform":{"type":"scalar"},"locs":[{"a":211,"b":221}]},{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":237,"b":240}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":291,"b":297}]}],"statement":"SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n       created_at, updated_at, version\nFROM balances\nWHERE user_id = :userId!\n  AND deleted_at IS NULL\n  AND (created_at, id) < (:createdAt!::timestamptz, :id!::bigint)\nORDER BY created_at DESC, id DESC\nLIMIT :limit!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *        created_at, updated_at, version
 * FROM balances
 * WHERE user_id = :userId!
 *   AND deleted_at IS NULL
 *   AND (created_at, id) < (:createdAt!::timestamptz, :id!::bigint)
 * ORDER BY created_at DESC, id DESC
 * LIMIT :limit!
 * ```
 */
export const balanceListByUserAfterCursor = new PreparedQuery<IBalanceListByUserAfterCursorParams,IBalanceListByUserAfterCursorResult>(balanceListByUserAfterCursorIR);


