/** Types generated for queries found in "sql/cache_invalidations/list_by_prefix.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

export type stringArray = (string)[];

/** 'CacheInvalidationListByPrefix' parameters type */
export interface ICacheInvalidationListByPrefixParams {
  keyPrefix: string;
  limit: NumberOrString;
}

/** 'CacheInvalidationListByPrefix' return type */
export interface ICacheInvalidationListByPrefixResult {
  generation_keys: stringArray;
  id: string;
  value_keys: stringArray;
}

/** 'CacheInvalidationListByPrefix' query type */
export interface ICacheInvalidationListByPrefixQuery {
  params: ICacheInvalidationListByPrefixParams;
  result: ICacheInvalidationListByPrefixResult;
}

const cacheInvalidationListByPrefixIR: any = {"usedParamSet":{"keyPrefix":true,"limit":true},"params":[{"name":"keyPrefix","required":true,"transform":{"type":"scalar"},"locs":[{"a":83,"b":93}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":125,"b":131}]}],"statement":"SELECT id, generation_keys, value_keys\nFROM cache_invalidations\nWHERE key_prefix = :keyPrefix!\nORDER BY key_prefix, id\nLIMIT :limit!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, generation_keys, value_keys
 * FROM cache_invalidations
 * WHERE key_prefix = :keyPrefix!
 * ORDER BY key_prefix, id
 * LIMIT :limit!
 * ```
 */
export const cacheInvalidationListByPrefix = new PreparedQuery<ICacheInvalidationListByPrefixParams,ICacheInvalidationListByPrefixResult>(cacheInvalidationListByPrefixIR);


