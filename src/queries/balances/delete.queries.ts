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

const balanceDeleteIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":32,"b":35}]}],"statement":"DELETE FROM balances\nWHERE id = :id!\nRETURNING id, user_id, token_id"};

/**
 * Query generated from SQL:
 * ```
 * DELETE FROM balances
 * WHERE id = :id!
 * RETURNING id, user_id, token_id
 * ```
 */
export const balanceDelete = new PreparedQuery<IBalanceDeleteParams,IBalanceDeleteResult>(balanceDeleteIR);


