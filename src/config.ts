/**
 * Settings read from the environment, checked once at start: a bad value stops the process
 * with a message naming the variable instead of misbehaving later.
 */
import { ConfigurationError } from './config-error.js';
import { type CacheTtls, cacheTtlsFrom } from './service/cache-ttls.js';
import {
  DEFAULT_USER_BALANCES_LIMIT,
  MAX_USER_BALANCES_LIMIT,
} from './service/user-balance-list.js';

export interface CacheConfig {
  /** Redis when set; otherwise the bounded in-memory store. */
  redisUrl: string | undefined;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); never set together with redisUrl. */
  redisClusterNodes: RedisNode[] | undefined;
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
  /**
   * Most balances the unpaged user list answers and the cache holds per user
   * (USER_BALANCES_LIMIT): it bounds the size of a cached value and of the answer.
   */
  userBalancesLimit: number;
}

/** One Redis Cluster seed node. */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * @throws ConfigurationError on a bad number, a bad REDIS_CLUSTER_NODES, or both REDIS_URL and
 *   REDIS_CLUSTER_NODES set.
 */
export function cacheConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CacheConfig {
  const redisClusterNodes = env.REDIS_CLUSTER_NODES
    ? parseClusterNodes(env.REDIS_CLUSTER_NODES)
    : undefined;
  if (redisClusterNodes && env.REDIS_URL) {
    throw new ConfigurationError(
      'set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
    );
  }
  return {
    redisUrl: env.REDIS_URL || undefined,
    redisClusterNodes,
    keyPrefix: env.CACHE_KEY_PREFIX ?? '',
    timeoutMs: positiveInteger(env, 'CACHE_TIMEOUT_MS', 50),
    leaseMs: positiveInteger(env, 'CACHE_LEASE_MS', 1_000),
    memoryMaxEntries: positiveInteger(env, 'CACHE_MEMORY_MAX_ENTRIES', 100_000),
    ttls: cacheTtlsFrom((entry) => seconds(env, entry.env, entry.defaultMs)),
    userBalancesLimit: userBalancesLimit(env),
  };
}

/** @throws ConfigurationError unless USER_BALANCES_LIMIT is an integer from 1 to 10,000. */
function userBalancesLimit(env: NodeJS.ProcessEnv): number {
  const limit = positiveInteger(env, 'USER_BALANCES_LIMIT', DEFAULT_USER_BALANCES_LIMIT);
  if (limit > MAX_USER_BALANCES_LIMIT) {
    throw new ConfigurationError(
      `USER_BALANCES_LIMIT must be at most ${MAX_USER_BALANCES_LIMIT} (larger lists should be paged), got "${env.USER_BALANCES_LIMIT}"`,
    );
  }
  return limit;
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

/**
 * Parses REDIS_CLUSTER_NODES: `host:port,host:port,...` (an IPv6 host in brackets:
 * `[::1]:7000`). Spaces around entries are allowed; an empty entry is not (a stray comma
 * usually means a node was lost in an edit).
 * @throws ConfigurationError naming the entry that is wrong
 */
export function parseClusterNodes(raw: string): RedisNode[] {
  return raw.split(',').map((entry) => {
    const trimmed = entry.trim();
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d+)$/.exec(trimmed);
    if (!match) {
      throw new ConfigurationError(
        `REDIS_CLUSTER_NODES must be host:port,host:port,... but "${trimmed}" in "${raw}" is not host:port`,
      );
    }
    const [, host, port] = match as unknown as [string, string, string];
    const number = Number(port);
    if (!(number >= 1 && number <= 65535)) {
      throw new ConfigurationError(
        `REDIS_CLUSTER_NODES: port ${port} of "${trimmed}" is not between 1 and 65535`,
      );
    }
    return { host: host.replace(/^\[|\]$/g, ''), port: number };
  });
}

/** Read replicas (DATABASE_REPLICA_URLS) and how long one may take to answer its check. */
export interface ReplicaConfig {
  urls: string[];
  /** Deadline of connecting to a replica and asking how far it has replayed. */
  timeoutMs: number;
}

/**
 * @throws ConfigurationError naming the entry of DATABASE_REPLICA_URLS that is wrong (by
 *   position: an entry may hold a password, so it is never echoed)
 */
export function replicaConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ReplicaConfig {
  const raw = env.DATABASE_REPLICA_URLS ?? '';
  const urls = raw.trim() === '' ? [] : parseReplicaUrls(raw);
  return { urls, timeoutMs: positiveInteger(env, 'DATABASE_REPLICA_TIMEOUT_MS', 200) };
}

/** Parses DATABASE_REPLICA_URLS: `postgres://...,postgres://...`, no empty entry, no repeat. */
export function parseReplicaUrls(raw: string): string[] {
  const urls = raw.split(',').map((entry, at) => {
    const trimmed = entry.trim();
    const position = `entry ${at + 1} of DATABASE_REPLICA_URLS`;
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new ConfigurationError(
        `${position} is not a URL (expected postgres://user@host:port/database, comma-separated)`,
      );
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
      throw new ConfigurationError(`${position} must start with postgres:// or postgresql://`);
    if (url.hostname === '') throw new ConfigurationError(`${position} names no host`);
    return trimmed;
  });
  const repeated = urls.findIndex((url, at) => urls.indexOf(url) !== at);
  if (repeated !== -1)
    throw new ConfigurationError(
      `entry ${repeated + 1} of DATABASE_REPLICA_URLS repeats an earlier one`,
    );
  return urls;
}
