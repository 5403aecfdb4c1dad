/** Types generated for queries found in "sql/balances/list_by_user_page.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceListByUserPage' parameters type */
export interface IBalanceListByUserPageParams {
  limit: NumberOrString;
  offset: NumberOrString;
  userId: NumberOrString;
}

/** 'BalanceListByUserPage' return type */
export interface IBalanceListByUserPageResult {
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

/** 'BalanceListByUserPage' query type */
export interface IBalanceListByUserPageQuery {
  params: IBalanceListByUserPageParams;
  result: IBalanceListByUserPageResult;
}

const balanceListByUserPageIR: any = {"usedParamSet":{"userId":true,"limit":true,"offset":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":151,"b":158}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":225,"b":231}]},{"name":"offset","required":true,"transform":{"type":"scalar"},"locs":[{"a":240,"b":247}]}],"statement":"SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n       created_at, updated_at, version\nFROM balances\nWHERE user_id = :userId!\n  AND deleted_at IS NULL\nORDER BY created_at DESC, id DESC\nLIMIT :limit!\nOFFSET :offset!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *        created_at, updated_at, version
 * FROM balances
 * WHERE user_id = :userId!
 *   AND deleted_at IS NULL
 * ORDER BY created_at DESC, id DESC
 * LIMIT :limit!
 * OFFSET :offset!
 * ```
 */
export const balanceListByUserPage = new PreparedQuery<IBalanceListByUserPageParams,IBalanceListByUserPageResult>(balanceListByUserPageIR);


