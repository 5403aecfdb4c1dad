/**
 * What `make cache-stats`, `make cache-flush` and `make doctor` ask of the cache's Redis: the
 * original Balance model's "Cache Not Working" and "Stale Cache Data" runbook steps. Keys are
 * walked with SCAN (never KEYS, which blocks Redis) and deleted with UNLINK.
 */
import { createClient, createCluster } from '@redis/client';
import { flushCacheKeys } from '../cache/flush.js';
import type { RedisNode } from '../config.js';

/** A short connect timeout and no reconnection: an admin command should fail fast. */
const adminClient = (url: string) =>
  createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: false } });

/** A connected client to the cache's Redis. */
export type AdminRedis = ReturnType<typeof adminClient>;

/** Key kinds, by the shape of the key after the prefix; the first that matches names a key. */
export const KEY_KINDS: readonly [kind: string, shape: RegExp][] = [
  ['generation', /balance:gen:/],
  ['epoch', /^balance:epoch$/],
  ['total by user', /^balance:user:\d+:total$/],
  ['by user and token', /^balance:user:\d+:token:\d+$/],
  ['by user', /^balance:user:\d+$/],
  ['by id', /^balance:\d+$/],
];

/** Every cache key under a prefix, counted by kind, with a few values' TTLs. */
export interface CacheKeyStats {
  pattern: string;
  total: number;
  /** One entry per kind of KEY_KINDS, then `other`, in that order. */
  byKind: [kind: string, count: number][];
  /** Up to five value keys (not generations, not the epoch) as `key  ttl N s`. */
  sample: string[];
}

/**
 * Connects to the cache's Redis.
 * @throws Error when Redis cannot be reached
 */
export async function openAdminRedis(url: string): Promise<AdminRedis> {
  const client = adminClient(url);
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * Where the admin commands look: one Redis, or every master of a Redis Cluster (replicas hold
 * copies; a SCAN of every master sees each key once).
 */
export interface AdminTarget {
  /** For messages: the URL, or `Redis Cluster (3 masters: host:port, ...)`. */
  where: string;
  masters: AdminRedis[];
  close(): Promise<void>;
}

/**
 * Connects to the cache's Redis (`redisUrl`) or Redis Cluster (`clusterNodes`).
 * @throws Error when it cannot be reached
 */
export async function openAdminTarget(options: {
  redisUrl?: string;
  clusterNodes?: RedisNode[];
}): Promise<AdminTarget> {
  if (options.clusterNodes) {
    const cluster = createCluster({
      rootNodes: options.clusterNodes.map((node) => ({ socket: node })),
      defaults: { socket: { connectTimeout: 2_000, reconnectStrategy: false } },
    });
    cluster.on('error', () => {});
    await cluster.connect();
    const masters = await Promise.all(cluster.masters.map((node) => cluster.nodeClient(node)));
    return {
      where: `Redis Cluster (${masters.length} masters: ${cluster.masters.map((m) => m.address).join(', ')})`,
      masters: masters as AdminRedis[],
      close: () => cluster.close().catch(() => {}),
    };
  }
  if (!options.redisUrl) throw new Error('no REDIS_URL nor REDIS_CLUSTER_NODES');
  const client = await openAdminRedis(options.redisUrl);
  return {
    where: options.redisUrl,
    masters: [client],
    close: () => client.close().catch(() => {}),
  };
}

/** Key counts and samples of every master, added up. */
export async function targetKeyStats(
  target: AdminTarget,
  keyPrefix: string,
): Promise<CacheKeyStats> {
  const each = await Promise.all(target.masters.map((node) => cacheKeyStats(node, keyPrefix)));
  const [first] = each;
  if (!first) throw new Error('no master to ask');
  return {
    pattern: first.pattern,
    total: each.reduce((sum, stats) => sum + stats.total, 0),
    byKind: first.byKind.map(([kind], at) => [
      kind,
      each.reduce((sum, stats) => sum + (stats.byKind[at]?.[1] ?? 0), 0),
    ]),
    sample: each.flatMap((stats) => stats.sample).slice(0, 5),
  };
}

/** `make cache-flush` on every master. @returns how many keys were deleted */
export async function flushTarget(target: AdminTarget, keyPrefix: string): Promise<number> {
  const counts = await Promise.all(target.masters.map((node) => flushCacheKeys(node, keyPrefix)));
  return counts.reduce((sum, count) => sum + count, 0);
}

/**
 * Deletes every key under `keyPrefix` from the Redis at `redisUrl`: what a benchmark's server
 * leaves in a shared Redis (its epoch key has no TTL, so it would stay for ever).
 */
export async function flushPrefix(redisUrl: string, keyPrefix: string): Promise<number> {
  const target = await openAdminTarget({ redisUrl });
  try {
    return await flushTarget(target, keyPrefix);
  } finally {
    await target.close();
  }
}

/**
 * INFO of every master for the given sections; counters (`keyspace_hits`, `keyspace_misses`,
 * `used_memory`) added up, other fields as the first master reports them.
 */
export async function targetInfo(
  target: AdminTarget,
  ...sections: string[]
): Promise<Record<string, string>> {
  const each = await Promise.all(target.masters.map((node) => redisInfo(node, ...sections)));
  const merged: Record<string, string> = { ...each[0] };
  for (const field of ['keyspace_hits', 'keyspace_misses', 'used_memory']) {
    if (merged[field] === undefined) continue;
    merged[field] = String(each.reduce((sum, info) => sum + Number(info[field] ?? 0), 0));
  }
  if (each.length > 1 && merged.used_memory !== undefined)
    merged.used_memory_human = `${(Number(merged.used_memory) / 1024 / 1024).toFixed(2)}M (all masters)`;
  return merged;
}

/** `make cache-flush` runs the cache's own flush, which its fault tests exercise. */
export { flushCacheKeys } from '../cache/flush.js';

/** Counts `<prefix>balance:*` keys by kind and samples the TTLs of a few values. */
export async function cacheKeyStats(client: AdminRedis, keyPrefix: string): Promise<CacheKeyStats> {
  const pattern = `${keyPrefix}balance:*`;
  const counts = new Map<string, number>();
  const sample: string[] = [];
  let total = 0;
  for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
    total += keys.length;
    for (const key of keys) {
      const kind = keyKind(key.slice(keyPrefix.length));
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      if (sample.length < 5 && kind !== 'generation' && kind !== 'epoch')
        sample.push(`${key}  ttl ${await client.ttl(key)} s`);
    }
  }
  const kinds = [...KEY_KINDS.map(([kind]) => kind), 'other'];
  return { pattern, total, byKind: kinds.map((kind) => [kind, counts.get(kind) ?? 0]), sample };
}

/** The kind of a key without its prefix, or `other`. */
export function keyKind(bareKey: string): string {
  return KEY_KINDS.find(([, shape]) => shape.test(bareKey))?.[0] ?? 'other';
}

/** Fields of Redis's INFO for the given sections, as strings. */
export async function redisInfo(
  client: AdminRedis,
  ...sections: string[]
): Promise<Record<string, string>> {
  const text = (await Promise.all(sections.map((section) => client.info(section)))).join('\r\n');
  return Object.fromEntries(
    text
      .split('\r\n')
      .map((line) => line.split(':'))
      .filter((parts): parts is [string, string] => parts.length === 2),
  );
}

/** Keyspace hits over lookups, server-wide, as "67.2%", or "no reads yet". */
export function keyspaceHitRate(info: Record<string, string>): string {
  const hits = Number(info.keyspace_hits ?? 0);
  const misses = Number(info.keyspace_misses ?? 0);
  return hits + misses === 0 ? 'no reads yet' : `${((100 * hits) / (hits + misses)).toFixed(1)}%`;
}
