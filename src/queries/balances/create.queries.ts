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

const balanceCreateIR: any = {"usedParamSet":{"userId":true,"tokenId":true,"amount":true,"usdValue":true,"address":true,"autoConvertThreshold":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":104,"b":111}]},{"name":"tokenId","required":true,"transform":{"type":"scalar"},"locs":[{"a":116,"b":124}]},{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":140,"b":147}]},{"name":"usdValue","required":true,"transform":{"type":"scalar"},"locs":[{"a":173,"b":182}]},{"name":"address","required":false,"transform":{"type":"scalar"},"locs":[{"a":197,"b":204}]},{"name":"autoConvertThreshold","required":false,"transform":{"type":"scalar"},"locs":[{"a":226,"b":246}]}],"statement":"INSERT INTO balances (user_id, token_id, amount, usd_value, address, auto_convert_threshold)\nVALUES (\n  :userId!,\n  :tokenId!,\n  trim_scale(:amount!::numeric),\n  trim_scale(:usdValue!::numeric),\n  :address::text,\n  trim_scale(:autoConvertThreshold::numeric)\n)\nRETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n          created_at, updated_at, version"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO balances (user_id, token_id, amount, usd_value, address, auto_convert_threshold)
 * VALUES (
 *   :userId!,
 *   :tokenId!,
 *   trim_scale(:amount!::numeric),
 *   trim_scale(:usdValue!::numeric),
 *   :address::text,
 *   trim_scale(:autoConvertThreshold::numeric)
 * )
 * RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *           created_at, updated_at, version
 * ```
 */
export const balanceCreate = new PreparedQuery<IBalanceCreateParams,IBalanceCreateResult>(balanceCreateIR);


