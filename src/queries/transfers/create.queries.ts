/** Types generated for queries found in "sql/transfers/create.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'TransferCreate' parameters type */
export interface ITransferCreateParams {
  amount: string;
  fromId: NumberOrString;
  toId: NumberOrString;
}

/** 'TransferCreate' return type */
export interface ITransferCreateResult {
  amount: string;
  created_at: Date;
  from_balance_id: string;
  id: string;
  to_balance_id: string;
}

/** 'TransferCreate' query type */
export interface ITransferCreateQuery {
  params: ITransferCreateParams;
  result: ITransferCreateResult;
}

const transferCreateIR: any = {"usedParamSet":{"fromId":true,"toId":true,"amount":true},"params":[{"name":"fromId","required":true,"transform":{"type":"scalar"},"locs":[{"a":71,"b":78}]},{"name":"toId","required":true,"transform":{"type":"scalar"},"locs":[{"a":81,"b":86}]},{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":100,"b":107}]}],"statement":"INSERT INTO transfers (from_balance_id, to_balance_id, amount)\nVALUES (:fromId!, :toId!, trim_scale(:amount!::numeric))\nRETURNING id, from_balance_id, to_balance_id, amount, created_at"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO transfers (from_balance_id, to_balance_id, amount)
 * VALUES (:fromId!, :toId!, trim_scale(:amount!::numeric))
 * RETURNING id, from_balance_id, to_balance_id, amount, created_at
 * ```
 */
export const transferCreate = new PreparedQuery<ITransferCreateParams,ITransferCreateResult>(transferCreateIR);


