/**
 * The cache on a Redis Cluster of the test's own (3 masters, 3 replicas, src/check/redis-cluster.ts):
 * lookups split one command per slot, a write racing the per-slot reads of a lookup, two
 * stacks standing for two API processes, the admin commands on every master, and a master
 * killed and failed over with its last invalidation lost.
 */
import { createCluster } from '@redis/client';
import keySlot from 'cluster-key-slot';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CacheStore } from '../src/cache/cache-store.js';
import { createRedisClusterStore } from '../src/cache/redis-cluster-store.js';
import { RedisCluster } from '../src/check/cluster.js';
import { createPool } from '../src/db/pool.js';
import { flushTarget, openAdminTarget, targetKeyStats } from '../src/dba/cache-admin.js';
import { runDoctor } from '../src/dba/doctor.js';
import { uniqueUserId } from './support/ids.js';
import { redisServerSkipReason, uniqueKeyPrefix } from './support/redis.js';
import { buildStack, metricValue, type TestStack } from './support/service.js';

const skip = await redisServerSkipReason();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hits = (stack: TestStack) =>
  metricValue(stack.metrics, 'balance_cache_hit_total', 'findById');

/**
 * The real cluster store, except that the next lookup (value, generation, epoch) is read in two
 * parts in the order asked, with a pause between them: the interleaving a per-slot read allows.
 */
function orderedLookups(store: CacheStore) {
  let plan: { valueFirst: boolean; reached: () => void; released: Promise<void> } | undefined;
  const wrapped: CacheStore = {
    kind: store.kind,
    get connection() {
      return store.connection;
    },
    getMany: async (keys) => {
      const armed = plan;
      if (!armed || keys.length !== 3) return store.getMany(keys);
      plan = undefined;
      const [first, second] = armed.valueFirst ? [[0], [1, 2]] : [[1, 2], [0]];
      const one = await store.getMany(first.map((at) => keys[at] as string));
      armed.reached();
      await armed.released;
      const two = await store.getMany(second.map((at) => keys[at] as string));
      if (one.connection !== two.connection) throw new Error('connection changed');
      const values: unknown[] = [];
      first.forEach((at, i) => {
        values[at] = one.values[i];
      });
      second.forEach((at, i) => {
        values[at] = two.values[i];
      });
      return { values, connection: one.connection };
    },
    set: (key, value, ttlMs) => store.set(key, value, ttlMs),
    setIfAbsent: (key, value, ttlMs) => store.setIfAbsent(key, value, ttlMs),
    compareAndSet: (key, expected, value) => store.compareAndSet(key, expected, value),
    replace: (set, ttlMs, remove) => store.replace(set, ttlMs, remove),
    delete: (key) => store.delete(key),
    serverRun: () => store.serverRun(),
    close: () => store.close(),
  };
  return {
    wrapped,
    /** Arms the next lookup; resolves `reached` after its first part, continues on release(). */
    arm(valueFirst: boolean) {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      plan = { valueFirst, reached, released };
      return { reached: reachedPromise, release };
    },
  };
}

describe.skipIf(skip !== undefined)('the cache on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let pool: pg.Pool;
  const stacks: TestStack[] = [];
  const stack = (keyPrefix: string, extra: Partial<Parameters<typeof buildStack>[0]> = {}) => {
    const built = buildStack({
      pool,
      kind: 'redis',
      redisClusterNodes: cluster.nodes,
      keyPrefix,
      ...extra,
    });
    stacks.push(built);
    return built;
  };

  beforeAll(async () => {
    pool = createPool(inject('databaseUrl'), { max: 10 });
    cluster = await RedisCluster.start();
  }, 90_000);
  afterAll(async () => {
    await Promise.all(stacks.map((built) => built.close()));
    await cluster?.remove();
    await pool?.end();
  });

  it('reads a value, its generation and the epoch on three slots, one command per slot (one MGET is refused with CROSSSLOT)', async () => {
    const prefix = uniqueKeyPrefix();
    const id = [...Array(100).keys()].find((n) => {
      const slots = [`balance:${n}`, `balance:gen:${n}`, 'balance:epoch'].map((k) =>
        keySlot(prefix + k),
      );
      return new Set(slots).size === 3;
    });
    const keys = [`${prefix}balance:${id}`, `${prefix}balance:gen:${id}`, `${prefix}balance:epoch`];
    const store = createRedisClusterStore(cluster.nodes);
    const raw = createCluster({ rootNodes: cluster.nodes.map((node) => ({ socket: node })) });
    raw.on('error', () => {});
    try {
      await raw.connect();
      await expect(raw.mGet(keys)).rejects.toThrow(/CROSSSLOT/);
      await store.set(keys[0] as string, { v: 1 }, 60_000);
      await store.set(keys[2] as string, 'epoch-1', 60_000);
      const { values } = await store.getMany(keys);
      expect(values).toEqual([{ v: 1 }, undefined, 'epoch-1']);
      expect(await store.setIfAbsent(keys[1] as string, 'g1', 60_000)).toBe('g1');
      expect(await store.setIfAbsent(keys[1] as string, 'g2', 60_000)).toBe('g1');
      await store.replace(new Map([[keys[1] as string, 'g3']]), 60_000, [keys[0] as string]);
      expect((await store.getMany(keys)).values).toEqual([undefined, 'g3', 'epoch-1']);
      // With read replicas a generation carries an LSN, and a replace never lowers it.
      await store.set(keys[0] as string, { v: 2 }, 60_000);
      await store.replace(new Map([[keys[1] as string, 'g4@00000000000000f0']]), 60_000, []);
      await store.replace(new Map([[keys[1] as string, 'g5@0000000000000010']]), 60_000, [
        keys[0] as string,
      ]);
      expect((await store.getMany(keys)).values).toEqual([
        undefined,
        'g5@00000000000000f0',
        'epoch-1',
      ]);
    } finally {
      await store.close();
      await raw.close().catch(() => {});
    }
  });

  for (const valueFirst of [true, false]) {
    it(`never serves the old value after a write acknowledged between a lookup's per-slot reads (${valueFirst ? 'value' : 'generation'} read first)`, async () => {
      const prefix = uniqueKeyPrefix();
      const ordered = orderedLookups(createRedisClusterStore(cluster.nodes));
      // A long deadline, so the paused lookup is not simply abandoned as late.
      const reader = stack(prefix, {
        wrapStore: () => ordered.wrapped,
        cache: { timeoutMs: 10_000 },
      });
      const writer = stack(prefix);
      const later = stack(prefix);
      const balance = await writer.service.create({
        userId: uniqueUserId(),
        tokenId: '1',
        amount: '10',
      });
      const slots = [`balance:${balance.id}`, `balance:gen:${balance.id}`].map((k) =>
        keySlot(prefix + k),
      );
      expect(slots[0]).not.toBe(slots[1]);
      await reader.service.findById(balance.id);
      expect((await reader.service.findById(balance.id))?.amount).toBe('10');
      expect(await hits(reader)).toBe(1);

      const pause = ordered.arm(valueFirst);
      const straddling = reader.service.findById(balance.id);
      await pause.reached;
      await writer.service.credit(balance.id, '5');
      pause.release();
      // Overlapping the write, it could have been 10; the guard reads the generation or the
      // value after the invalidation, so it misses and reads PostgreSQL.
      expect((await straddling)?.amount).toBe('15');
      expect(await hits(reader)).toBe(1);
      for (const read of [later, reader, later, reader])
        expect((await read.service.findById(balance.id))?.amount).toBe('15');
      expect(await hits(reader)).toBeGreaterThan(1);
    });
  }

  it('a read through a second stack sees a write made through the first after a cached read', async () => {
    const prefix = uniqueKeyPrefix();
    const one = stack(prefix);
    const two = stack(prefix);
    const balance = await one.service.create({ userId: uniqueUserId(), tokenId: '1', amount: '3' });
    expect((await two.service.findById(balance.id))?.amount).toBe('3');
    expect((await two.service.findById(balance.id))?.amount).toBe('3');
    expect(await hits(two)).toBe(1);
    await one.service.debit(balance.id, '2');
    expect((await two.service.findById(balance.id))?.amount).toBe('1');
  });

  it('cache-stats, cache-flush and doctor see every master', async () => {
    const prefix = uniqueKeyPrefix();
    const one = stack(prefix);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const balance = await one.service.create({
        userId: uniqueUserId(),
        tokenId: '1',
        amount: '1',
      });
      await one.service.findById(balance.id);
      ids.push(balance.id);
    }
    const masters = new Set(
      await Promise.all(ids.map((id) => cluster.masterOf(`${prefix}balance:${id}`))),
    );
    expect(masters.size).toBeGreaterThan(1);
    const target = await openAdminTarget({ clusterNodes: cluster.nodes });
    try {
      expect(target.masters).toHaveLength(3);
      const stats = await targetKeyStats(target, prefix);
      const byKind = Object.fromEntries(stats.byKind);
      expect(byKind['by id']).toBe(12);
      expect(byKind.epoch).toBe(1);
      expect(byKind.generation).toBeGreaterThanOrEqual(12);
      expect(stats.total).toBe(stats.byKind.reduce((sum, [, count]) => sum + count, 0));
      const checks = await runDoctor({
        pool,
        databaseUrl: inject('databaseUrl'),
        redisClusterNodes: cluster.nodes,
        keyPrefix: prefix,
      });
      const keysCheck = checks.find((check) => check.name === 'cache keys');
      expect(keysCheck?.detail).toBe(`${stats.total} keys match ${prefix}balance:*`);
      expect(checks.find((check) => check.name === 'redis')?.verdict).toBe('OK');
      expect(await flushTarget(target, prefix)).toBe(stats.total);
      expect((await targetKeyStats(target, prefix)).total).toBe(0);
    } finally {
      await target.close();
    }
    // Flushed while in use: the next reads miss, then hit again.
    const before = await hits(one);
    expect((await one.service.findById(ids[0] as string))?.amount).toBe('1');
    expect(await hits(one)).toBe(before);
  });

  it('forgets every value when a master fails over, so an invalidation lost with it never serves an old value', async () => {
    const prefix = uniqueKeyPrefix();
    const reader = stack(prefix);
    const writer = stack(prefix);
    const balance = await writer.service.create({
      userId: uniqueUserId(),
      tokenId: '1',
      amount: '100',
    });
    const valueKey = `${prefix}balance:${balance.id}`;
    const generationKey = `${prefix}balance:gen:${balance.id}`;
    const epochKey = `${prefix}balance:epoch`;
    await reader.service.findById(balance.id);
    await reader.service.findById(balance.id);
    expect(await hits(reader)).toBe(1);
    const get = async (key: string) => cluster.command(await cluster.masterOf(key), 'GET', key);
    const [oldValue, oldGeneration, oldEpoch] = [
      await get(valueKey),
      await get(generationKey),
      await get(epochKey),
    ];

    await writer.service.credit(balance.id, '1');
    await cluster.killMasterAndFailOver(await cluster.masterOf(generationKey));
    // What an asynchronous replica may come up with: the state before the invalidation.
    for (const [key, value] of [
      [valueKey, oldValue],
      [generationKey, oldGeneration],
    ] as const)
      await cluster.command(await cluster.masterOf(key), 'SET', key, value);

    const hitsBefore = await hits(reader);
    const until = Date.now() + 20_000;
    let reads = 0;
    while ((await hits(reader)) < hitsBefore + 2 && Date.now() < until) {
      for (const read of [reader, writer]) {
        const started = performance.now();
        expect((await read.service.findById(balance.id))?.amount).toBe('101');
        // Never a hang: a call costs at most its deadline while the cluster is rebuilt.
        expect(performance.now() - started).toBeLessThan(2_000);
        reads++;
      }
      await sleep(100);
    }
    expect(await hits(reader)).toBeGreaterThanOrEqual(hitsBefore + 2);
    expect(reads).toBeGreaterThan(0);
    expect(await get(epochKey)).not.toBe(oldEpoch);
  }, 60_000);
});
