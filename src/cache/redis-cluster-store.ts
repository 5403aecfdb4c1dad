import { createHash } from 'node:crypto';
import { createCluster } from '@redis/client';
import keySlot from 'cluster-key-slot';
import type { RedisNode } from '../config.js';
import type { CacheStore } from './cache-store.js';
import { carriesLsn } from './generation-lsn.js';
import {
  COMPARE_AND_SET,
  compareAndSetArguments,
  decode,
  encode,
  REPLACE_KEEPING_LSN,
  replaceKeepingLsnArguments,
  setIfAbsentCommand,
} from './redis-values.js';

/**
 * The cache's store on a Redis Cluster (REDIS_CLUSTER_NODES), with the original key names.
 *
 * Keys have no hash tag, so a value, its generation and the epoch usually sit on three slots,
 * and a command may only touch one slot (CROSSSLOT). `getMany` and `replace` therefore send one
 * command per slot, in parallel, under the caller's one deadline; the Lua compare-and-set and
 * SET NX touch one key each. Why the guard stays correct when the reads of one lookup are not
 * atomic:
 *
 * - A write's invalidation (new generation, values deleted) completes on every slot it touches
 *   before the write is acknowledged (invalidations.ts awaits every per-slot command).
 * - Each per-slot read is a read of one key on its master, which is linearizable while that
 *   master lives. A lookup that starts after the acknowledgement reads the generation after it
 *   was replaced, so it sees the new generation (or a later one). A value tagged with that
 *   generation was stored by a reader whose own lookup saw it, so that reader loaded from
 *   PostgreSQL after the replacement, after the commit: never older than the write. A value
 *   tagged with the old generation is a miss. Whatever the value read, at whatever moment,
 *   only the generation read matters, and it is read after the acknowledgement.
 * - A lookup that overlapped the write may serve the old value: it was concurrent with it.
 *
 * Replication is asynchronous, so a failover (a master killed, its replica promoted) can lose
 * an acknowledged invalidation: that is the one fault the argument above does not cover, and it
 * is treated like a restart. The "run" of a cluster names every master's run_id; a master
 * replaced or restarted changes it, so the epoch no longer belongs and is replaced (every value
 * forgotten) before any hit. A lost master's connection ends this client: a new one is built
 * from the seeds (and every node seen) once the cluster has a master for every slot again, and
 * the run is checked anew on it. Meanwhile every call fails at once and the service reads
 * PostgreSQL. Values are read from masters only (replicas are never asked).
 */
export function createRedisClusterStore(seeds: RedisNode[]): CacheStore {
  let connection = 0;
  let closed = false;
  let cluster: ReturnType<typeof connectCluster> | undefined;
  let connecting: Promise<void> | undefined;
  let everReady = false;
  let waiting: (() => void)[] = [];
  /** Every node address seen, so a rebuild finds the cluster even if some seeds are gone. */
  const known = new Map(seeds.map((node) => [`${node.host}:${node.port}`, node]));

  const changed = () => {
    connection++;
  };
  const rebuild = () => {
    changed();
    const lost = cluster;
    cluster = undefined;
    destroyQuietly(lost);
    scheduleConnect(250);
  };
  const scheduleConnect = (delayMs: number) => {
    if (closed || connecting) return;
    connecting = new Promise<void>((resolve) => setTimeout(resolve, delayMs).unref())
      .then(() => connectOnce())
      .catch(() => {
        // Unexpected (connectOnce handles a failed connect): never stop trying.
        setTimeout(() => scheduleConnect(0), 500).unref();
      })
      .finally(() => {
        connecting = undefined;
      });
  };
  const connectOnce = async () => {
    if (closed) return;
    const candidate = connectCluster([...known.values()]);
    candidate.on('error', () => {});
    // Any node connection lost or replaced: this client may route to a master that is gone,
    // and node-redis rediscovers only on MOVED. Start over, like a single Redis reconnecting.
    // A node lost while connecting (a master that is down but still owns its slots, before
    // the failover) fails this attempt.
    let lostWhileConnecting = false;
    const lost = () => {
      if (cluster === candidate) rebuild();
      else lostWhileConnecting = true;
    };
    candidate.on('node-disconnect', lost);
    candidate.on('node-error', lost);
    candidate.on('node-reconnecting', lost);
    try {
      await candidate.connect();
      const down = candidate.masters.filter((node) => !node.client?.isReady);
      if (lostWhileConnecting || down.length > 0) throw new Error('a master is unreachable');
    } catch {
      destroyQuietly(candidate);
      // Not every slot has a reachable master yet (a failover in progress): try again soon.
      setTimeout(() => scheduleConnect(0), 500).unref();
      return;
    }
    if (closed) return destroyQuietly(candidate);
    for (const node of [...candidate.masters, ...candidate.replicas])
      known.set(`${node.host}:${node.port}`, { host: node.host, port: node.port });
    cluster = candidate;
    changed();
    everReady = true;
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
  scheduleConnect(0);

  const ready = async () => {
    if (cluster) return cluster;
    // Only the first connection is waited for (within the caller's deadline), as redis-store.ts.
    if (everReady || closed) throw new Error('Redis Cluster is not connected');
    await new Promise<void>((resolve) => waiting.push(resolve));
    if (!cluster) throw new Error('Redis Cluster is not connected');
    return cluster;
  };
  /** Runs `work` on a connection that must not change before it answers. */
  const onOneConnection = async <R>(work: (client: NonNullable<typeof cluster>) => Promise<R>) => {
    const client = await ready();
    const asked = connection;
    const result = await work(client);
    if (connection !== asked)
      throw new Error('the Redis Cluster connection changed during the call');
    return { result, connection: asked };
  };

  return {
    kind: 'redis',
    get connection() {
      return connection;
    },
    getMany: async (keys) => {
      const { result, connection: answered } = await onOneConnection(async (client) => {
        const values: unknown[] = new Array(keys.length);
        await Promise.all(
          [...bySlot(keys)].map(async ([, positions]) => {
            const slotKeys = positions.map((at) => keys[at] as string);
            const replies = await client.mGet(slotKeys);
            positions.forEach((at, i) => {
              values[at] = decode(replies[i] ?? null);
            });
          }),
        );
        return values;
      });
      return { values: result, connection: answered };
    },
    set: async (key, value, ttlMs) => {
      await (await ready()).set(key, encode(value), { PX: ttlMs });
    },
    setIfAbsent: async (key, value, ttlMs) => {
      const held = await (await ready()).sendCommand(
        key,
        false,
        setIfAbsentCommand(key, value, ttlMs),
      );
      return held === null ? value : decode(held as unknown as string);
    },
    compareAndSet: async (key, expected, value) => {
      const held = await (await ready()).eval(COMPARE_AND_SET, {
        keys: [key],
        ...compareAndSetArguments(expected, value),
      });
      return decode(held as unknown as string);
    },
    replace: async (set, ttlMs, remove) => {
      const client = await ready();
      // One MULTI per slot: atomic within a slot, and all of them awaited before the caller
      // (the write) goes on. A slot that fails fails the whole call: the write records it.
      const groups = new Map<number, { set: [string, string][]; remove: string[] }>();
      const group = (key: string) => {
        const slot = keySlot(key);
        const found = groups.get(slot) ?? { set: [], remove: [] };
        groups.set(slot, found);
        return found;
      };
      for (const [key, value] of set) group(key).set.push([key, value]);
      for (const key of remove) group(key).remove.push(key);
      await Promise.all(
        [...groups.values()].map((slot) => {
          const first = slot.set[0]?.[0] ?? (slot.remove[0] as string);
          // With read replicas: one script per slot, keeping the higher LSN (generation-lsn.ts).
          if (slot.set.some(([, value]) => carriesLsn(value)))
            return client.eval(
              REPLACE_KEEPING_LSN,
              replaceKeepingLsnArguments(slot.set, ttlMs, slot.remove),
            );
          const multi = client.multi(first);
          for (const [key, value] of slot.set) multi.set(key, encode(value), { PX: ttlMs });
          if (slot.remove.length > 0) multi.unlink(slot.remove);
          return multi.exec();
        }),
      );
    },
    delete: async (key) => {
      await (await ready()).unlink(key);
    },
    serverRun: async () => {
      const { result, connection: answered } = await onOneConnection((client) =>
        clusterRun(client),
      );
      return { run: result, connection: answered };
    },
    close: async () => {
      closed = true;
      for (const wake of waiting) wake();
      const open = cluster;
      cluster = undefined;
      if (!open) return;
      const done = open.close().then(
        () => true,
        () => false,
      );
      const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, 1_000, false).unref());
      if (!(await Promise.race([done, timeout]))) destroyQuietly(open);
    },
  };
}

/** Ends a cluster client at once; one whose node connections are already closed throws. */
function destroyQuietly(client: ReturnType<typeof connectCluster> | undefined): void {
  try {
    client?.destroy();
  } catch {
    // Already closed: nothing left to end.
  }
}

function connectCluster(rootNodes: RedisNode[]) {
  return createCluster({
    rootNodes: rootNodes.map((node) => ({ socket: { host: node.host, port: node.port } })),
    // Never from replicas: they may lag behind an invalidation.
    useReplicas: false,
    defaults: {
      disableOfflineQueue: true,
      // A lost node ends this client (see above); the store builds the next one.
      socket: { connectTimeout: 1_000, reconnectStrategy: false },
    },
  });
}

/** Key positions grouped by hash slot. */
export function bySlot(keys: string[]): Map<number, number[]> {
  const slots = new Map<number, number[]>();
  keys.forEach((key, at) => {
    const slot = keySlot(key);
    slots.set(slot, [...(slots.get(slot) ?? []), at]);
  });
  return slots;
}

/**
 * Names the cluster's run: every master's address and run_id, hashed. A master restarted or
 * replaced by its replica changes it. A node this client takes for a master that answers as a
 * replica (a failover this client has not seen yet) makes the check fail.
 */
async function clusterRun(client: ReturnType<typeof connectCluster>): Promise<string> {
  const masters = await Promise.all(
    client.masters.map(async (node) => {
      const info = await (await client.nodeClient(node)).sendCommand([
        'INFO',
        'server',
        'replication',
      ]);
      const text = String(info);
      const run = /^run_id:(\w+)/m.exec(text)?.[1];
      if (!run) throw new Error(`INFO server of ${node.address} names no run_id`);
      if (!/^role:master/m.test(text)) throw new Error(`${node.address} is no longer a master`);
      return `${node.address}=${run}`;
    }),
  );
  return createHash('sha256').update(masters.sort().join(',')).digest('hex').slice(0, 40);
}
