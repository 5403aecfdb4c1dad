/** Types generated for queries found in "sql/balances/total_usd_by_user.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'BalanceTotalUsdByUser' parameters type */
export interface IBalanceTotalUsdByUserParams {
  userId: NumberOrString;
}

/** 'BalanceTotalUsdByUser' return type */
export interface IBalanceTotalUsdByUserResult {
  total_usd: string;
}

/** 'BalanceTotalUsdByUser' query type */
export interface IBalanceTotalUsdByUserQuery {
  params: IBalanceTotalUsdByUserParams;
  result: IBalanceTotalUsdByUserResult;
}

const balanceTotalUsdByUserIR: any = {"usedParamSet":{"userId":true},"params":[{"name":"userId","required":true,"transform":{"type":"scalar"},"locs":[{"a":81,"b":88}]}],"statement":"SELECT COALESCE(SUM(usd_value), 0) AS \"total_usd!\"\nFROM balances\nWHERE user_id = :userId!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT COALESCE(SUM(usd_value), 0) AS "total_usd!"
 * FROM balances
 * WHERE user_id = :userId!
 * ```
 */
export const balanceTotalUsdByUser = new PreparedQuery<IBalanceTotalUsdByUserParams,IBalanceTotalUsdByUserResult>(balanceTotalUsdByUserIR);


