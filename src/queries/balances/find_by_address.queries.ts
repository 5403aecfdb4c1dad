/** Types generated for queries found in "sql/balances/find_by_address.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceFindByAddress' parameters type */
export interface IBalanceFindByAddressParams {
  address: string;
  limit: NumberOrString;
}

/** 'BalanceFindByAddress' return type */
export interface IBalanceFindByAddressResult {
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

/** 'BalanceFindByAddress' query type */
export interface IBalanceFindByAddressQuery {
  params: IBalanceFindByAddressParams;
  result: IBalanceFindByAddressResult;
}

const balanceFindByAddressIR: any = {"usedParamSet":{"address":true,"limit":true},"params":[{"name":"address","required":true,"transform":{"type":"scalar"},"locs":[{"a":151,"b":159}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":204,"b":210}]}],"statement":"SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n       created_at, updated_at, version\nFROM balances\nWHERE address = :address!\n  AND deleted_at IS NULL\nORDER BY id\nLIMIT :limit!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *        created_at, updated_at, version
 * FROM balances
 * WHERE address = :address!
 *   AND deleted_at IS NULL
 * ORDER BY id
 * LIMIT :limit!
 * ```
 */
export const balanceFindByAddress = new PreparedQuery<IBalanceFindByAddressParams,IBalanceFindByAddressResult>(balanceFindByAddressIR);


