/** Types generated for queries found in "sql/balances/find_including_closed.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceFindIncludingClosed' parameters type */
export interface IBalanceFindIncludingClosedParams {
  id: NumberOrString;
}

/** 'BalanceFindIncludingClosed' return type */
export interface IBalanceFindIncludingClosedResult {
  amount: string;
  deleted_at: Date | null;
  id: string;
  token_id: string;
  user_id: string;
}

/** 'BalanceFindIncludingClosed' query type */
export interface IBalanceFindIncludingClosedQuery {
  params: IBalanceFindIncludingClosedParams;
  result: IBalanceFindIncludingClosedResult;
}

const balanceFindIncludingClosedIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":74,"b":77}]}],"statement":"SELECT id, user_id, token_id, amount, deleted_at\nFROM balances\nWHERE id = :id!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, deleted_at
 * FROM balances
 * WHERE id = :id!
 * ```
 */
export const balanceFindIncludingClosed = new PreparedQuery<IBalanceFindIncludingClosedParams,IBalanceFindIncludingClosedResult>(balanceFindIncludingClosedIR);


