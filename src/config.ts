/**
 * Settings read from the environment, checked once at start: a bad value stops the process
 * with a message naming the variable instead of misbehaving later.
 */
import { ConfigurationError } from './config-error.js';
import { type CacheTtls, cacheTtlsFrom } from './service/cache-ttls.js';

export interface CacheConfig {
  /** Redis when set; otherwise the bounded in-memory store. */
  redisUrl: string | undefined;
  /** Prepended to every key (empty: the original Balance model's keys exactly). */
  keyPrefix: string;
  /** Deadline of one cache call. */
  timeoutMs: number;
  /**
   * How long a process trusts its latest look at the recorded invalidations; a write whose
   * invalidation Redis refused waits this long before it is acknowledged.
   */
  leaseMs: number;
  /** Entries the in-memory store keeps. */
  memoryMaxEntries: number;
  ttls: CacheTtls;
}

export function cacheConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CacheConfig {
  return {
    redisUrl: env.REDIS_URL || undefined,
    keyPrefix: env.CACHE_KEY_PREFIX ?? '',
    timeoutMs: positiveInteger(env, 'CACHE_TIMEOUT_MS', 50),
    leaseMs: positiveInteger(env, 'CACHE_LEASE_MS', 1_000),
    memoryMaxEntries: positiveInteger(env, 'CACHE_MEMORY_MAX_ENTRIES', 100_000),
    ttls: cacheTtlsFrom((entry) => seconds(env, entry.env, entry.defaultMs)),
  };
}

export function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
  return positiveInteger(env, name, fallbackMs / 1000) * 1000;
}
