/** Types generated for queries found in "sql/balances/create.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceCreate' parameters type */
export interface IBalanceCreateParams {
  address?: string | null | void;
  amount: string;
  autoConvertThreshold?: string | null | void;
  tokenId: NumberOrString;
  usdValue: string;
  userId: NumberOrString;
}

/** 'BalanceCreate' return type */
export interface IBalanceCreateResult {
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

/** 'BalanceCreate' query type */
export interface IBalanceCreateQuery {
  params: IBalanceCreateParams;
  result: IBalanceCreateResult;
}

const balanceCreateIR: any = {"usedParamSet":{"userId":true,"tokenId":true,"amount":true,"usdValue":true,"address":true,"autoConvertThreshold":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":104,"b":111}]},{"name":"tokenId","required":true,"transform":{"type":"scalar"},"locs":[{"a":116,"b":124}]},{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":129,"b":136}]},{"name":"usdValue","required":true,"transform":{"type":"scalar"},"locs":[{"a":150,"b":159}]},{"name":"address","required":false,"transform":{"type":"scalar"},"locs":[{"a":173,"b":180}]},{"name":"autoConvertThreshold","required":false,"transform":{"type":"scalar"},"locs":[{"a":191,"b":211}]}],"statement":"INSERT INTO balances (user_id, token_id, amount, usd_value, address, auto_convert_threshold)\nVALUES (\n  :userId!,\n  :tokenId!,\n  :amount!::numeric,\n  :usdValue!::numeric,\n  :address::text,\n  :autoConvertThreshold::numeric\n)\nRETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n          created_at, updated_at, version"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO balances (user_id, token_id, amount, usd_value, address, auto_convert_threshold)
 * VALUES (
 *   :userId!,
 *   :tokenId!,
 *   :amount!::numeric,
 *   :usdValue!::numeric,
 *   :address::text,
 *   :autoConvertThreshold::numeric
 * )
 * RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *           created_at, updated_at, version
 * ```
 */
export const balanceCreate = new PreparedQuery<IBalanceCreateParams,IBalanceCreateResult>(balanceCreateIR);


