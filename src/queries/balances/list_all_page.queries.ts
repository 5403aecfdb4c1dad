/** Types generated for queries found in "sql/balances/list_all_page.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceListAllPage' parameters type */
export interface IBalanceListAllPageParams {
  limit: NumberOrString;
  offset: NumberOrString;
}

/** 'BalanceListAllPage' return type */
export interface IBalanceListAllPageResult {
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

/** 'BalanceListAllPage' query type */
export interface IBalanceListAllPageQuery {
  params: IBalanceListAllPageParams;
  result: IBalanceListAllPageResult;
}

const balanceListAllPageIR: any = {"usedParamSet":{"limit":true,"offset":true},"params":[{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":178,"b":184}]},{"name":"offset","required":true,"transform":{"type":"scalar"},"locs":[{"a":193,"b":200}]}],"statement":"SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n       created_at, updated_at, version\nFROM balances\nWHERE deleted_at IS NULL\nORDER BY id\nLIMIT :limit!\nOFFSET :offset!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *        created_at, updated_at, version
 * FROM balances
 * WHERE deleted_at IS NULL
 * ORDER BY id
 * LIMIT :limit!
 * OFFSET :offset!
 * ```
 */
export const balanceListAllPage = new PreparedQuery<IBalanceListAllPageParams,IBalanceListAllPageResult>(balanceListAllPageIR);


