/** Types generated for queries found in "sql/balances/find_by_user_id_and_token_id.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceFindByUserIdAndTokenId' parameters type */
export interface IBalanceFindByUserIdAndTokenIdParams {
  tokenId: NumberOrString;
  userId: NumberOrString;
}

/** 'BalanceFindByUserIdAndTokenId' return type */
export interface IBalanceFindByUserIdAndTokenIdResult {
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

/** 'BalanceFindByUserIdAndTokenId' query type */
export interface IBalanceFindByUserIdAndTokenIdQuery {
  params: IBalanceFindByUserIdAndTokenIdParams;
  result: IBalanceFindByUserIdAndTokenIdResult;
}

const balanceFindByUserIdAndTokenIdIR: any = {"usedParamSet":{"userId":true,"tokenId":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":151,"b":158}]},{"name":"tokenId","required":true,"transform":{"type":"scalar"},"locs":[{"a":177,"b":185}]}],"statement":"SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n       created_at, updated_at, version\nFROM balances\nWHERE user_id = :userId!\n  AND token_id = :tokenId!\n  AND deleted_at IS NULL"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *        created_at, updated_at, version
 * FROM balances
 * WHERE user_id = :userId!
 *   AND token_id = :tokenId!
 *   AND deleted_at IS NULL
 * ```
 */
export const balanceFindByUserIdAndTokenId = new PreparedQuery<IBalanceFindByUserIdAndTokenIdParams,IBalanceFindByUserIdAndTokenIdResult>(balanceFindByUserIdAndTokenIdIR);


