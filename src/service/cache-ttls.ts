/**
 * How long each cached read keeps its value: the one table of TTLs in the project. The defaults
 * are the original Balance model's; `CACHE_TTL_*` overrides them at start (src/config.ts), the
 * OpenAPI summaries print the values in force, and a test holds every SQL header's `Cache:` line
 * and the README to the defaults here.
 */
import { cacheKeys } from '../cache/keys.js';

/** The TTL of each cached read, in milliseconds. */
export interface CacheTtls {
  byIdMs: number;
  byUserMs: number;
  byUserAndTokenMs: number;
  totalByUserMs: number;
}

/** One cached read: which TTL it uses, its key's shape, and the variable that overrides it. */
export interface CacheTtlEntry {
  field: keyof CacheTtls;
  /** The BalanceService method that reads through this key. */
  read: string;
  /** The key's shape as SQL headers and the README write it, such as `balance:<id>`. */
  key: string;
  /** Overrides the default, in seconds. */
  env: string;
  defaultMs: number;
}

/** Every cached read, with the original Balance model's TTL as its default. */
export const CACHE_TTL_TABLE: readonly CacheTtlEntry[] = [
  {
    field: 'byIdMs',
    read: 'findById',
    key: cacheKeys.byId('<id>'),
    env: 'CACHE_TTL_BY_ID_SECONDS',
    defaultMs: 5 * 60_000,
  },
  {
    field: 'byUserMs',
    read: 'findByUserId',
    key: cacheKeys.byUser('<userId>'),
    env: 'CACHE_TTL_BY_USER_SECONDS',
    defaultMs: 60_000,
  },
  {
    field: 'byUserAndTokenMs',
    read: 'findByUserIdAndTokenId',
    key: cacheKeys.byUserAndToken('<userId>', '<tokenId>'),
    env: 'CACHE_TTL_USER_TOKEN_SECONDS',
    defaultMs: 5 * 60_000,
  },
  {
    field: 'totalByUserMs',
    read: 'totalBalanceByUser',
    key: cacheKeys.totalByUser('<userId>'),
    env: 'CACHE_TTL_TOTAL_SECONDS',
    defaultMs: 2 * 60_000,
  },
];

/** The TTLs when no `CACHE_TTL_*` variable is set: by id 5 min, by user 1 min, user and token 5 min, total 2 min. */
export const DEFAULT_CACHE_TTLS: CacheTtls = cacheTtlsFrom((entry) => entry.defaultMs);

/** A TTL for every row of the table, in the table's order. */
export function cacheTtlsFrom(ttlOf: (entry: CacheTtlEntry) => number): CacheTtls {
  return Object.fromEntries(
    CACHE_TTL_TABLE.map((entry) => [entry.field, ttlOf(entry)]),
  ) as unknown as CacheTtls;
}

/** A TTL as people read it: "5 min", "90 s". */
export function describeTtl(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms} ms`;
}
