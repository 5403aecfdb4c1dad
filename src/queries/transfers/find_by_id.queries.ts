/** Types generated for queries found in "sql/transfers/find_by_id.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'TransferFindById' parameters type */
export interface ITransferFindByIdParams {
  id: NumberOrString;
}

/** 'TransferFindById' return type */
export interface ITransferFindByIdResult {
  amount: string;
  created_at: Date;
  from_balance_id: string;
  id: string;
  to_balance_id: string;
}

/** 'TransferFindById' query type */
export interface ITransferFindByIdQuery {
  params: ITransferFindByIdParams;
  result: ITransferFindByIdResult;
}

const transferFindByIdIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":88,"b":91}]}],"statement":"SELECT id, from_balance_id, to_balance_id, amount, created_at\nFROM transfers\nWHERE id = :id!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, from_balance_id, to_balance_id, amount, created_at
 * FROM transfers
 * WHERE id = :id!
 * ```
 */
export const transferFindById = new PreparedQuery<ITransferFindByIdParams,ITransferFindByIdResult>(transferFindByIdIR);


