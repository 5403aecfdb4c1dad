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

const balanceCreateIR: any = {"usedParamSet":{"userId":true,"tokenId":true,"amount":true,"usdValue":true,"address":true,"autoConvertThreshold":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":128,"b":135}]},{"name":"tokenId","required":true,"transform":{"type":"scalar"},"locs":[{"a":142,"b":150}]},{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":168,"b":175}]},{"name":"usdValue","required":true,"transform":{"type":"scalar"},"locs":[{"a":203,"b":212}]},{"name":"address","required":false,"transform":{"type":"scalar"},"locs":[{"a":229,"b":236}]},{"name":"autoConvertThreshold","required":false,"transform":{"type":"scalar"},"locs":[{"a":260,"b":280}]}],"statement":"WITH created AS (\n  INSERT INTO balances (user_id, token_id, amount, usd_value, address, auto_convert_threshold)\n  VALUES (\n    :userId!,\n    :tokenId!,\n    trim_scale(:amount!::numeric),\n    trim_scale(:usdValue!::numeric),\n    :address::text,\n    trim_scale(:autoConvertThreshold::numeric)\n  )\n  RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n            created_at, updated_at, version\n), opening AS (\n  INSERT INTO balance_entries (balance_id, kind, amount, balance_after, created_at)\n  SELECT id, 'adjustment', amount, amount, created_at\n  FROM created\n  WHERE amount <> 0\n)\nSELECT id AS \"id!\", user_id AS \"user_id!\", token_id AS \"token_id!\", amount AS \"amount!\",\n       usd_value AS \"usd_value!\", address, auto_convert_threshold,\n       created_at AS \"created_at!\", updated_at AS \"updated_at!\", version AS \"version!\"\nFROM created"};

/**
 * Query generated from SQL:
 * ```
 * WITH created AS (
 *   INSERT INTO balances (user_id, token_id, amount, usd_value, address, auto_convert_threshold)
 *   VALUES (
 *     :userId!,
 *     :tokenId!,
 *     trim_scale(:amount!::numeric),
 *     trim_scale(:usdValue!::numeric),
 *     :address::text,
 *     trim_scale(:autoConvertThreshold::numeric)
 *   )
 *   RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *             created_at, updated_at, version
 * ), opening AS (
 *   INSERT INTO balance_entries (balance_id, kind, amount, balance_after, created_at)
 *   SELECT id, 'adjustment', amount, amount, created_at
 *   FROM created
 *   WHERE amount <> 0
 * )
 * SELECT id AS "id!", user_id AS "user_id!", token_id AS "token_id!", amount AS "amount!",
 *        usd_value AS "usd_value!", address, auto_convert_threshold,
 *        created_at AS "created_at!", updated_at AS "updated_at!", version AS "version!"
 * FROM created
 * ```
 */
export const balanceCreate = new PreparedQuery<IBalanceCreateParams,IBalanceCreateResult>(balanceCreateIR);


