/** Types generated for queries found in "sql/balances/debit.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceDebit' parameters type */
export interface IBalanceDebitParams {
  amount: string;
  id: NumberOrString;
  transferId?: NumberOrString | null | void;
}

/** 'BalanceDebit' return type */
export interface IBalanceDebitResult {
  address: string | null;
  amount: string;
  auto_convert_threshold: string | null;
  created_at: Date;
  entry_created_at: Date;
  entry_id: string;
  id: string;
  token_id: string;
  updated_at: Date;
  usd_value: string;
  user_id: string;
  version: string;
}

/** 'BalanceDebit' query type */
export interface IBalanceDebitQuery {
  params: IBalanceDebitParams;
  result: IBalanceDebitResult;
}

const balanceDebitIR: any = {"usedParamSet":{"amount":true,"id":true,"transferId":true},"params":[{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":71,"b":78},{"a":208,"b":215},{"a":489,"b":496}]},{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":158,"b":161}]},{"name":"transferId","required":false,"transform":{"type":"scalar"},"locs":[{"a":517,"b":527}]}],"statement":"WITH debited AS (\n  UPDATE balances\n  SET amount = trim_scale(amount - :amount!::numeric),\n      version = version + 1,\n      updated_at = now()\n  WHERE id = :id!\n    AND deleted_at IS NULL\n    AND amount >= :amount!::numeric\n  RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n            created_at, updated_at, version\n), entry AS (\n  INSERT INTO balance_entries (balance_id, kind, amount, balance_after, transfer_id)\n  SELECT id, 'debit', trim_scale(:amount!::numeric), amount, :transferId::bigint\n  FROM debited\n  RETURNING id, created_at\n)\nSELECT d.id AS \"id!\", d.user_id AS \"user_id!\", d.token_id AS \"token_id!\", d.amount AS \"amount!\",\n       d.usd_value AS \"usd_value!\", d.address, d.auto_convert_threshold,\n       d.created_at AS \"created_at!\", d.updated_at AS \"updated_at!\", d.version AS \"version!\",\n       e.id AS \"entry_id!\", e.created_at AS \"entry_created_at!\"\nFROM debited AS d, entry AS e"};

/**
 * Query generated from SQL:
 * ```
 * WITH debited AS (
 *   UPDATE balances
 *   SET amount = trim_scale(amount - :amount!::numeric),
 *       version = version + 1,
 *       updated_at = now()
 *   WHERE id = :id!
 *     AND deleted_at IS NULL
 *     AND amount >= :amount!::numeric
 *   RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *             created_at, updated_at, version
 * ), entry AS (
 *   INSERT INTO balance_entries (balance_id, kind, amount, balance_after, transfer_id)
 *   SELECT id, 'debit', trim_scale(:amount!::numeric), amount, :transferId::bigint
 *   FROM debited
 *   RETURNING id, created_at
 * )
 * SELECT d.id AS "id!", d.user_id AS "user_id!", d.token_id AS "token_id!", d.amount AS "amount!",
 *        d.usd_value AS "usd_value!", d.address, d.auto_convert_threshold,
 *        d.created_at AS "created_at!", d.updated_at AS "updated_at!", d.version AS "version!",
 *        e.id AS "entry_id!", e.created_at AS "entry_created_at!"
 * FROM debited AS d, entry AS e
 * ```
 */
export const balanceDebit = new PreparedQuery<IBalanceDebitParams,IBalanceDebitResult>(balanceDebitIR);


