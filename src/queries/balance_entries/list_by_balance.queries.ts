/** Types generated for queries found in "sql/balance_entries/list_by_balance.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceEntryListByBalance' parameters type */
export interface IBalanceEntryListByBalanceParams {
  balanceId: NumberOrString;
  beforeId?: NumberOrString | null | void;
  limit: NumberOrString;
}

/** 'BalanceEntryListByBalance' return type */
export interface IBalanceEntryListByBalanceResult {
  amount: string;
  balance_after: string;
  balance_id: string;
  created_at: Date;
  id: string;
  kind: string;
  transfer_id: string | null;
}

/** 'BalanceEntryListByBalance' query type */
export interface IBalanceEntryListByBalanceQuery {
  params: IBalanceEntryListByBalanceParams;
  result: IBalanceEntryListByBalanceResult;
}

const balanceEntryListByBalanceIR: any = {"usedParamSet":{"balanceId":true,"beforeId":true,"limit":true},"params":[{"name":"balanceId","required":true,"transform":{"type":"scalar"},"locs":[{"a":116,"b":126}]},{"name":"beforeId","required":false,"transform":{"type":"scalar"},"locs":[{"a":148,"b":156}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":211,"b":217}]}],"statement":"SELECT id, balance_id, kind, amount, balance_after, transfer_id, created_at\nFROM balance_entries\nWHERE balance_id = :balanceId!\n  AND id < COALESCE(:beforeId::bigint, 9223372036854775807)\nORDER BY id DESC\nLIMIT :limit!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, balance_id, kind, amount, balance_after, transfer_id, created_at
 * FROM balance_entries
 * WHERE balance_id = :balanceId!
 *   AND id < COALESCE(:beforeId::bigint, 9223372036854775807)
 * ORDER BY id DESC
 * LIMIT :limit!
 * ```
 */
export const balanceEntryListByBalance = new PreparedQuery<IBalanceEntryListByBalanceParams,IBalanceEntryListByBalanceResult>(balanceEntryListByBalanceIR);


