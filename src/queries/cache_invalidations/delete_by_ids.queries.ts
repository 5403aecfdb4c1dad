/** Types generated for queries found in "sql/cache_invalidations/delete_by_ids.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

export type NumberOrStringArray = (NumberOrString)[];

/** 'CacheInvalidationDeleteByIds' parameters type */
export interface ICacheInvalidationDeleteByIdsParams {
  ids: NumberOrStringArray;
}

/** 'CacheInvalidationDeleteByIds' return type */
export type ICacheInvalidationDeleteByIdsResult = void;

/** 'CacheInvalidationDeleteByIds' query type */
export interface ICacheInvalidationDeleteByIdsQuery {
  params: ICacheInvalidationDeleteByIdsParams;
  result: ICacheInvalidationDeleteByIdsResult;
}

const cacheInvalidationDeleteByIdsIR: any = {"usedParamSet":{"ids":true},"params":[{"name":"ids","required":true,"transform":{"type":"scalar"},"locs":[{"a":47,"b":51}]}],"statement":"DELETE FROM cache_invalidations\nWHERE id = ANY(:ids!::bigint[])"};

/**
 * Query generated from SQL:
 * ```
 * DELETE FROM cache_invalidations
 * WHERE id = ANY(:ids!::bigint[])
 * ```
 */
export const cacheInvalidationDeleteByIds = new PreparedQuery<ICacheInvalidationDeleteByIdsParams,ICacheInvalidationDeleteByIdsResult>(cacheInvalidationDeleteByIdsIR);


