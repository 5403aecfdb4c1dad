/** Types generated for queries found in "sql/balance_entries/list_by_transfer.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceEntryListByTransfer' parameters type */
export interface IBalanceEntryListByTransferParams {
  transferId: NumberOrString;
}

/** 'BalanceEntryListByTransfer' return type */
export interface IBalanceEntryListByTransferResult {
  amount: string;
  balance_after: string;
  balance_id: string;
  created_at: Date;
  id: string;
  kind: string;
  transfer_id: string | null;
}

/** 'BalanceEntryListByTransfer' query type */
export interface IBalanceEntryListByTransferQuery {
  params: IBalanceEntryListByTransferParams;
  result: IBalanceEntryListByTransferResult;
}

const balanceEntryListByTransferIR: any = {"usedParamSet":{"transferId":true},"params":[{"name":"transferId","required":true,"transform":{"type":"scalar"},"locs":[{"a":117,"b":128}]}],"statement":"SELECT id, balance_id, kind, amount, balance_after, transfer_id, created_at\nFROM balance_entries\nWHERE transfer_id = :transferId!\nORDER BY id"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, balance_id, kind, amount, balance_after, transfer_id, created_at
 * FROM balance_entries
 * WHERE transfer_id = :transferId!
 * ORDER BY id
 * ```
 */
export const balanceEntryListByTransfer = new PreparedQuery<IBalanceEntryListByTransferParams,IBalanceEntryListByTransferResult>(balanceEntryListByTransferIR);


