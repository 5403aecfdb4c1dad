/** Types generated for queries found in "sql/balances/delete.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceDelete' parameters type */
export interface IBalanceDeleteParams {
  id: NumberOrString;
}

/** 'BalanceDelete' return type */
export interface IBalanceDeleteResult {
  id: string;
  token_id: string;
  user_id: string;
}

/** 'BalanceDelete' query type */
export interface IBalanceDeleteQuery {
  params: IBalanceDeleteParams;
  result: IBalanceDeleteResult;
}

const balanceDeleteIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":120,"b":123}]}],"statement":"UPDATE balances\nSET deleted_at = now(),\n    usd_value = 0,\n    version = version + 1,\n    updated_at = now()\nWHERE id = :id!\n  AND deleted_at IS NULL\n  AND amount = 0\nRETURNING id, user_id, token_id"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE balances
 * SET deleted_at = now(),
 *     usd_value = 0,
 *     version = version + 1,
 *     updated_at = now()
 * WHERE id = :id!
 *   AND deleted_at IS NULL
 *   AND amount = 0
 * RETURNING id, user_id, token_id
 * ```
 */
export const balanceDelete = new PreparedQuery<IBalanceDeleteParams,IBalanceDeleteResult>(balanceDeleteIR);


