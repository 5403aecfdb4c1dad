/** Types generated for queries found in "sql/balances/list_by_user_after_token.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceListByUserAfterToken' parameters type */
export interface IBalanceListByUserAfterTokenParams {
  afterTokenId: NumberOrString;
  limit: NumberOrString;
  userId: NumberOrString;
}

/** 'BalanceListByUserAfterToken' return type */
export interface IBalanceListByUserAfterTokenResult {
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

/** 'BalanceListByUserAfterToken' query type */
export interface IBalanceListByUserAfterTokenQuery {
  params: IBalanceListByUserAfterTokenParams;
  result: IBalanceListByUserAfterTokenResult;
}

const balanceListByUserAfterTokenIR: any = {"usedParamSet":{"userId":true,"afterTokenId":true,"limit":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":151,"b":158}]},{"name":"afterTokenId","required":true,"transform":{"type":"scalar"},"locs":[{"a":202,"b":215}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":249,"b":255}]}],"statement":"SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n       created_at, updated_at, version\nFROM balances\nWHERE user_id = :userId!\n  AND deleted_at IS NULL\n  AND token_id > :afterTokenId!::bigint\nORDER BY token_id\nLIMIT :limit!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *        created_at, updated_at, version
 * FROM balances
 * WHERE user_id = :userId!
 *   AND deleted_at IS NULL
 *   AND token_id > :afterTokenId!::bigint
 * ORDER BY token_id
 * LIMIT :limit!
 * ```
 */
export const balanceListByUserAfterToken = new PreparedQuery<IBalanceListByUserAfterTokenParams,IBalanceListByUserAfterTokenResult>(balanceListByUserAfterTokenIR);


