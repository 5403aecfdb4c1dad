/** Types generated for queries found in "sql/cache_invalidations/record.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type stringArray = (string)[];

/** 'CacheInvalidationRecord' parameters type */
export interface ICacheInvalidationRecordParams {
  generationKeys: stringArray;
  keyPrefix: string;
  valueKeys: stringArray;
}

/** 'CacheInvalidationRecord' return type */
export interface ICacheInvalidationRecordResult {
  id: string;
}

/** 'CacheInvalidationRecord' query type */
export interface ICacheInvalidationRecordQuery {
  params: ICacheInvalidationRecordParams;
  result: ICacheInvalidationRecordResult;
}

const cacheInvalidationRecordIR: any = {"usedParamSet":{"keyPrefix":true,"generationKeys":true,"valueKeys":true},"params":[{"name":"keyPrefix","required":true,"transform":{"type":"scalar"},"locs":[{"a":82,"b":92}]},{"name":"generationKeys","required":true,"transform":{"type":"scalar"},"locs":[{"a":95,"b":110}]},{"name":"valueKeys","required":true,"transform":{"type":"scalar"},"locs":[{"a":121,"b":131}]}],"statement":"INSERT INTO cache_invalidations (key_prefix, generation_keys, value_keys)\nVALUES (:keyPrefix!, :generationKeys!::text[], :valueKeys!::text[])\nRETURNING id"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO cache_invalidations (key_prefix, generation_keys, value_keys)
 * VALUES (:keyPrefix!, :generationKeys!::text[], :valueKeys!::text[])
 * RETURNING id
 * ```
 */
export const cacheInvalidationRecord = new PreparedQuery<ICacheInvalidationRecordParams,ICacheInvalidationRecordResult>(cacheInvalidationRecordIR);


