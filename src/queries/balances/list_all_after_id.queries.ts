/** Types generated for queries found in "sql/balances/list_all_after_id.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceListAllAfterId' parameters type */
export interface IBalanceListAllAfterIdParams {
  afterId: NumberOrString;
  limit: NumberOrString;
}

/** 'BalanceListAllAfterId' return type */
export interface IBalanceListAllAfterIdResult {
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

/** 'BalanceListAllAfterId' query type */
export interface IBalanceListAllAfterIdQuery {
  params: IBalanceListAllAfterIdParams;
  result: IBalanceListAllAfterIdResult;
}

const balanceListAllAfterIdIR: any = {"usedParamSet":{"afterId":true,"limit":true},"params":[{"name":"afterId","required":true,"transform":{"type":"scalar"},"locs":[{"a":146,"b":154}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":199,"b":205}]}],"statement":"SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n       created_at, updated_at, version\nFROM balances\nWHERE id > :afterId!\n  AND deleted_at IS NULL\nORDER BY id\nLIMIT :limit!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *        created_at, updated_at, version
 * FROM balances
 * WHERE id > :afterId!
 *   AND deleted_at IS NULL
 * ORDER BY id
 * LIMIT :limit!
 * ```
 */
export const balanceListAllAfterId = new PreparedQuery<IBalanceListAllAfterIdParams,IBalanceListAllAfterIdResult>(balanceListAllAfterIdIR);


