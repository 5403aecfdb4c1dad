/** Types generated for queries found in "sql/balances/lock_for_transfer.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceLockForTransfer' parameters type */
export interface IBalanceLockForTransferParams {
  fromId: NumberOrString;
  toId: NumberOrString;
}

/** 'BalanceLockForTransfer' return type */
export interface IBalanceLockForTransferResult {
  amount: string;
  id: string;
  token_id: string;
  user_id: string;
}

/** 'BalanceLockForTransfer' query type */
export interface IBalanceLockForTransferQuery {
  params: IBalanceLockForTransferParams;
  result: IBalanceLockForTransferResult;
}

const balanceLockForTransferIR: any = {"usedParamSet":{"fromId":true,"toId":true},"params":[{"name":"fromId","required":true,"transform":{"type":"scalar"},"locs":[{"a":64,"b":71}]},{"name":"toId","required":true,"transform":{"type":"scalar"},"locs":[{"a":74,"b":79}]}],"statement":"SELECT id, user_id, token_id, amount\nFROM balances\nWHERE id IN (:fromId!, :toId!)\n  AND deleted_at IS NULL\nORDER BY id\nFOR UPDATE"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, user_id, token_id, amount
 * FROM balances
 * WHERE id IN (:fromId!, :toId!)
 *   AND deleted_at IS NULL
 * ORDER BY id
 * FOR UPDATE
 * ```
 */
export const balanceLockForTransfer = new PreparedQuery<IBalanceLockForTransferParams,IBalanceLockForTransferResult>(balanceLockForTransferIR);


