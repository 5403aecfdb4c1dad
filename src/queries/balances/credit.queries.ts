/** Types generated for queries found in "sql/balances/credit.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceCredit' parameters type */
export interface IBalanceCreditParams {
  amount: string;
  id: NumberOrString;
  transferId?: NumberOrString | null | void;
}

/** 'BalanceCredit' return type */
export interface IBalanceCreditResult {
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

/** 'BalanceCredit' query type */
export interface IBalanceCreditQuery {
  params: IBalanceCreditParams;
  result: IBalanceCreditResult;
}

const balanceCreditIR: any = {"usedParamSet":{"amount":true,"id":true,"transferId":true},"params":[{"name":"amount","required":true,"transform":{"type":"scalar"},"locs":[{"a":72,"b":79},{"a":455,"b":462}]},{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":159,"b":162}]},{"name":"transferId","required":false,"transform":{"type":"scalar"},"locs":[{"a":483,"b":493}]}],"statement":"WITH credited AS (\n  UPDATE balances\n  SET amount = trim_scale(amount + :amount!::numeric),\n      version = version + 1,\n      updated_at = now()\n  WHERE id = :id!\n    AND deleted_at IS NULL\n  RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,\n            created_at, updated_at, version\n), entry AS (\n  INSERT INTO balance_entries (balance_id, kind, amount, balance_after, transfer_id)\n  SELECT id, 'credit', trim_scale(:amount!::numeric), amount, :transferId::bigint\n  FROM credited\n  RETURNING id, created_at\n)\nSELECT c.id AS \"id!\", c.user_id AS \"user_id!\", c.token_id AS \"token_id!\", c.amount AS \"amount!\",\n       c.usd_value AS \"usd_value!\", c.address, c.auto_convert_threshold,\n       c.created_at AS \"created_at!\", c.updated_at AS \"updated_at!\", c.version AS \"version!\",\n       e.id AS \"entry_id!\", e.created_at AS \"entry_created_at!\"\nFROM credited AS c, entry AS e"};

/**
 * Query generated from SQL:
 * ```
 * WITH credited AS (
 *   UPDATE balances
 *   SET amount = trim_scale(amount + :amount!::numeric),
 *       version = version + 1,
 *       updated_at = now()
 *   WHERE id = :id!
 *     AND deleted_at IS NULL
 *   RETURNING id, user_id, token_id, amount, usd_value, address, auto_convert_threshold,
 *             created_at, updated_at, version
 * ), entry AS (
 *   INSERT INTO balance_entries (balance_id, kind, amount, balance_after, transfer_id)
 *   SELECT id, 'credit', trim_scale(:amount!::numeric), amount, :transferId::bigint
 *   FROM credited
 *   RETURNING id, created_at
 * )
 * SELECT c.id AS "id!", c.user_id AS "user_id!", c.token_id AS "token_id!", c.amount AS "amount!",
 *        c.usd_value AS "usd_value!", c.address, c.auto_convert_threshold,
 *        c.created_at AS "created_at!", c.updated_at AS "updated_at!", c.version AS "version!",
 *        e.id AS "entry_id!", e.created_at AS "entry_created_at!"
 * FROM credited AS c, entry AS e
 * ```
 */
export const balanceCredit = new PreparedQuery<IBalanceCreditParams,IBalanceCreditResult>(balanceCreditIR);


