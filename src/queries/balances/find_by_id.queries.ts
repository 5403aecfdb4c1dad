/** Types generated for queries found in "sql/balances/find_by_id.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceFindById' parameters type */
export interface IBalanceFindByIdParams {
  id: NumberOrString;
}

/** 'BalanceFindById' return type */
export interface IBalanceFindByIdResult {
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

/** 'BalanceFindById' query type */
export interface IBalanceFindByIdQuery {
  params: IBalanceFindByIdParams;
  result: IBalanceFindByIdResult;
}

const balanceFindByIdIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":146,"b":149}]}],"statement":"SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n       created_at, updated_at, version\nFROM balances\nWHERE id = :id!\n  AND deleted_at IS NULL"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *        created_at, updated_at, version
 * FROM balances
 * WHERE id = :id!
 *   AND deleted_at IS NULL
 * ```
 */
export const balanceFindById = new PreparedQuery<IBalanceFindByIdParams,IBalanceFindByIdResult>(balanceFindByIdIR);


