/** Types generated for queries found in "sql/balances/find_by_user_id.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceFindByUserId' parameters type */
export interface IBalanceFindByUserIdParams {
  limit: NumberOrString;
  userId: NumberOrString;
}

/** 'BalanceFindByUserId' return type */
export interface IBalanceFindByUserIdResult {
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

/** 'BalanceFindByUserId' query type */
export interface IBalanceFindByUserIdQuery {
  params: IBalanceFindByUserIdParams;
  result: IBalanceFindByUserIdResult;
}

const balanceFindByUserIdIR: any = {"usedParamSet":{"userId":true,"limit":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":151,"b":158}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":209,"b":215}]}],"statement":"SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n       created_at, updated_at, version\nFROM balances\nWHERE user_id = :userId!\n  AND deleted_at IS NULL\nORDER BY token_id\nLIMIT :limit!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *        created_at, updated_at, version
 * FROM balances
 * WHERE user_id = :userId!
 *   AND deleted_at IS NULL
 * ORDER BY token_id
 * LIMIT :limit!
 * ```
 */
export const balanceFindByUserId = new PreparedQuery<IBalanceFindByUserIdParams,IBalanceFindByUserIdResult>(balanceFindByUserIdIR);


