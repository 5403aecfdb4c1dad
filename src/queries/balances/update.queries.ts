/** Types generated for queries found in "sql/balances/update.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceUpdate' parameters type */
export interface IBalanceUpdateParams {
  address?: string | null | void;
  amount?: string | null | void;
  autoConvertThreshold?: string | null | void;
  expectedVersion?: NumberOrString | null | void;
  id: NumberOrString;
  setAddress: boolean;
  setAutoConvertThreshold: boolean;
  usdValue?: string | null | void;
}

/** 'BalanceUpdate' return type */
export interface IBalanceUpdateResult {
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

/** 'BalanceUpdate' query type */
export interface IBalanceUpdateQuery {
  params: IBalanceUpdateParams;
  result: IBalanceUpdateResult;
}

const balanceUpdateIR: any = {"usedParamSet":{"id":true,"amount":true,"usdValue":true,"setAddress":true,"address":true,"setAutoConvertThreshold":true,"autoConvertThreshold":true,"expectedVersion":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":68,"b":71}]},{"name":"amount","required":false,"transform":{"type":"scalar"},"locs":[{"a":187,"b":193}]},{"name":"usdValue","required":false,"transform":{"type":"scalar"},"locs":[{"a":255,"b":263}]},{"name":"setAddress","required":true,"transform":{"type":"scalar"},"locs":[{"a":316,"b":327}]},{"name":"address","required":false,"transform":{"type":"scalar"},"locs":[{"a":343,"b":350}]},{"name":"setAutoConvertThreshold","required":true,"transform":{"type":"scalar"},"locs":[{"a":427,"b":451}]},{"name":"autoConvertThreshold","required":false,"transform":{"type":"scalar"},"locs":[{"a":478,"b":498}]},{"name":"expectedVersion","required":false,"transform":{"type":"scalar"},"locs":[{"a":665,"b":680},{"a":713,"b":728}]}],"statement":"WITH previous AS (\n  SELECT id, amount\n  FROM balances\n  WHERE id = :id!\n    AND deleted_at IS NULL\n  FOR UPDATE\n), updated AS (\n  UPDATE balances AS b\n  SET amount = COALESCE(trim_scale(:amount::numeric), b.amount),\n      usd_value = COALESCE(trim_scale(:usdValue::numeric), b.usd_value),\n      address = CASE WHEN :setAddress!::boolean THEN :address::text ELSE b.address END,\n      auto_convert_threshold = CASE\n        WHEN :setAutoConvertThreshold!::boolean THEN trim_scale(:autoConvertThreshold::numeric)\n        ELSE b.auto_convert_threshold\n      END,\n      version = b.version + 1,\n      updated_at = now()\n  FROM previous AS p\n  WHERE b.id = p.id\n    AND (:expectedVersion::bigint IS NULL OR b.version = :expectedVersion::bigint)\n  RETURNING b.id, b.user_id, b.token_id, b.amount, b.usd_value, b.address,\n            b.auto_convert_threshold, b.created_at, b.updated_at, b.version,\n            p.amount AS previous_amount\n), adjustment AS (\n  INSERT INTO balance_entries (balance_id, kind, amount, balance_after)\n  SELECT id, 'adjustment', trim_scale(amount - previous_amount), amount\n  FROM updated\n  WHERE amount <> previous_amount\n)\nSELECT id AS \"id!\", user_id AS \"user_id!\", token_id AS \"token_id!\", amount AS \"amount!\",\n       usd_value AS \"usd_value!\", address, auto_convert_threshold,\n       created_at AS \"created_at!\", updated_at AS \"updated_at!\", version AS \"version!\"\nFROM updated"};

/**
 * Query generated from SQL:
 * ```
 * WITH previous AS (
 *   SELECT id, amount
 *   FROM balances
 *   WHERE id = :id!
 *     AND deleted_at IS NULL
 *   FOR UPDATE
 * ), updated AS (
 *   UPDATE balances AS b
 *   SET amount = COALESCE(trim_scale(:amount::numeric), b.amount),
 *       usd_value = COALESCE(trim_scale(:usdValue::numeric), b.usd_value),
 *       address = CASE WHEN :setAddress!::boolean THEN :address::text ELSE b.address END,
 *       auto_convert_threshold = CASE
 *         WHEN :setAutoConvertThreshold!::boolean THEN trim_scale(:autoConvertThreshold::numeric)
 *         ELSE b.auto_convert_threshold
 *       END,
 *       version = b.version + 1,
 *       updated_at = now()
 *   FROM previous AS p
 *   WHERE b.id = p.id
 *     AND (:expectedVersion::bigint IS NULL OR b.version = :expectedVersion::bigint)
 *   RETURNING b.id, b.user_id, b.token_id, b.amount, b.usd_value, b.address,
 *             b.auto_convert_threshold, b.created_at, b.updated_at, b.version,
 *             p.amount AS previous_amount
 * ), adjustment AS (
 *   INSERT INTO balance_entries (balance_id, kind, amount, balance_after)
 *   SELECT id, 'adjustment', trim_scale(amount - previous_amount), amount
 *   FROM updated
 *   WHERE amount <> previous_amount
 * )
 * SELECT id AS "id!", user_id AS "user_id!", token_id AS "token_id!", amount AS "amount!",
 *        usd_value AS "usd_value!", address, auto_convert_threshold,
 *        created_at AS "created_at!", updated_at AS "updated_at!", version AS "version!"
 * FROM updated
 * ```
 */
export const balanceUpdate = new PreparedQuery<IBalanceUpdateParams,IBalanceUpdateResult>(balanceUpdateIR);


