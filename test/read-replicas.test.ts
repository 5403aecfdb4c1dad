/**
 * Read replicas (DATABASE_REPLICA_URLS) on a real primary and streaming replica of the test's
 * own (src/check/postgres-replica.ts) and the real Redis: a replica that has caught up serves
 * reads, one that lags or is down does not, and no read or cache fill is older than an
 * acknowledged write.
 */
import { existsSync } from 'node:fs';
import { createClient } from '@redis/client';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Tagged } from '../src/cache/generation-guard.js';
import {
  keepHigherLsn,
  lsnOf,
  toPgLsn,
  toSortableLsn,
  UNKNOWN_LSN,
  withLsn,
} from '../src/cache/generation-lsn.js';
import { createMemoryStore } from '../src/cache/memory-store.js';
import { createRedisStore } from '../src/cache/redis-store.js';
import { decode } from '../src/cache/redis-values.js';
import { PostgresWithReplica } from '../src/check/postgres-replica.js';
import { parseReplicaUrls, replicaConfigFromEnv } from '../src/config.js';
import { migrate } from '../src/db/migrations.js';
import { createPool } from '../src/db/pool.js';
import { createReplicaRouter } from '../src/db/replica-router.js';
import type { Metrics } from '../src/metrics.js';
import { parseRenderedBalance, readRenderedBalance } from '../src/service/rendered-balance.js';
import { uniqueUserId } from './support/ids.js';
import { redisSkipReason, sharedRedisUrl, uniqueKeyPrefix } from './support/redis.js';
import { buildStack, type TestStack } from './support/service.js';

const BIN = process.env.POSTGRES_REPLICA_BIN || '/usr/lib/postgresql/15/bin';
const noReplicaReason = existsSync(`${BIN}/pg_basebackup`)
  ? undefined
  : `no PostgreSQL 15 programs at ${BIN} (Debian's postgresql-15)`;
if (noReplicaReason && process.env.CI)
  throw new Error(`CI must run these tests: ${noReplicaReason}`);
const skip = noReplicaReason ?? (await redisSkipReason());

/** A counter or gauge's value summed over the series whose labels include `labels`. */
/** The amount of the balance a Redis value holds, read as a process reads it. */
function cachedAmount(raw: string | null): string | undefined {
  const tagged = decode<Tagged<string> | undefined>(raw);
  const rendered = readRenderedBalance(tagged?.v);
  return rendered && parseRenderedBalance(rendered).amount;
}

async function metric(metrics: Metrics, name: string, labels: Record<string, string> = {}) {
  const found = metrics.registry.getSingleMetric(name);
  if (!found) throw new Error(`no metric ${name}`);
  const { values } = await found.get();
  return values
    .filter((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('generation LSNs', () => {
  it('converts pg_lsn text to a sortable form and back', () => {
    expect(toSortableLsn('16/B374D848')).toBe('00000016b374d848');
    expect(toPgLsn('00000016b374d848')).toBe('00000016/B374D848');
    expect(toSortableLsn('0/9') < toSortableLsn('0/10')).toBe(true);
    expect(() => toSortableLsn('16-B374')).toThrow('not a pg_lsn');
  });

  it('keeps the higher LSN when an older write applies its invalidation last', () => {
    const newer = 'g1@00000000000000f0';
    expect(keepHigherLsn(newer, 'g2@0000000000000010')).toBe('g2@00000000000000f0');
    expect(keepHigherLsn('g1@0000000000000010', 'g2@00000000000000f0')).toBe('g2@00000000000000f0');
    expect(keepHigherLsn(undefined, 'g2@0000000000000010')).toBe('g2@0000000000000010');
    expect(lsnOf('plain-uuid')).toBeUndefined();
  });

  it('the memory store keeps the higher LSN of a generation', async () => {
    const store = createMemoryStore();
    await store.replace(new Map([['gen', 'a@00000000000000f0']]), 60_000, []);
    await store.replace(new Map([['gen', 'b@0000000000000010']]), 60_000, []);
    expect((await store.getMany(['gen'])).values[0]).toBe('b@00000000000000f0');
  });

  it.skipIf(skip)('a Redis store keeps the higher LSN of a generation, in one script', async () => {
    const store = createRedisStore(sharedRedisUrl);
    const key = `${uniqueKeyPrefix()}gen`;
    try {
      await store.set(`${key}:value`, 'v', 60_000);
      await store.replace(new Map([[key, 'a@00000000000000f0']]), 60_000, []);
      await store.replace(new Map([[key, 'b@0000000000000010']]), 60_000, [`${key}:value`]);
      const { values } = await store.getMany([key, `${key}:value`]);
      expect(values).toEqual(['b@00000000000000f0', undefined]);
    } finally {
      await store.delete(key);
      await store.close();
    }
  });
});

describe('DATABASE_REPLICA_URLS', () => {
  it('parses comma-separated postgres URLs', () => {
    expect(parseReplicaUrls(' postgres://a@h1:5433/db , postgresql://h2/db')).toEqual([
      'postgres://a@h1:5433/db',
      'postgresql://h2/db',
    ]);
    expect(replicaConfigFromEnv({}).urls).toEqual([]);
  });

  it.each([
    ['postgres://h1/db,', 'entry 2 of DATABASE_REPLICA_URLS is not a URL'],
    ['mysql://h1/db', 'entry 1 of DATABASE_REPLICA_URLS must start with postgres://'],
    ['postgres://h1/db,postgres://h1/db', 'entry 2 of DATABASE_REPLICA_URLS repeats'],
  ])('refuses %s with a clear message', (raw, message) => {
    expect(() => parseReplicaUrls(raw)).toThrow(message);
  });

  it('never echoes an entry, which may hold a password', () => {
    expect(() => parseReplicaUrls('postgres://u:s3cret@h1/db,nope')).toThrow(
      /^(?!.*s3cret).*entry 2/,
    );
  });
});

describe.skipIf(skip)('reads with a streaming replica', () => {
  let servers: PostgresWithReplica;
  let pool: pg.Pool;
  let stack: TestStack;
  const redis = createClient({ url: sharedRedisUrl });

  /** A router over the test's replica, on the stack's metrics. */
  const routerToTheReplica = (metrics: Metrics) =>
    createReplicaRouter({
      primary: pool,
      urls: [servers.replicaUrl('replica_test')],
      timeoutMs: 1_000,
      settings: {},
      metrics,
    }) as NonNullable<ReturnType<typeof createReplicaRouter>>;

  beforeAll(async () => {
    servers = await PostgresWithReplica.start();
    const admin = createPool(servers.primaryUrl());
    await admin.query('CREATE DATABASE replica_test');
    await admin.end();
    await migrate(servers.primaryUrl('replica_test'), 'up');
    await servers.waitForReplay();
    pool = createPool(servers.primaryUrl('replica_test'));
    stack = buildStack({
      pool,
      kind: 'redis',
      redisUrl: sharedRedisUrl,
      replicas: routerToTheReplica,
    });
    await redis.connect();
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await pool?.end();
    await redis.close().catch(() => {});
    await servers?.remove();
  });

  beforeEach(async () => {
    await servers.setApplyDelay(0);
  });

  const replicaReads = () => metric(stack.metrics, 'balance_db_reads_total', { target: 'replica' });
  const fallbacks = (reason: string) =>
    metric(stack.metrics, 'balance_replica_fallback_total', { reason });

  /** The amount the replica itself holds for a balance, read directly. */
  const amountOnReplica = async (id: string) => {
    const replica = createPool(servers.replicaUrl('replica_test'));
    try {
      const { rows } = await replica.query('SELECT amount::text FROM balances WHERE id = $1', [id]);
      return rows[0]?.amount as string | undefined;
    } finally {
      await replica.end();
    }
  };

  it('a replica that has caught up serves cache misses and pages', async () => {
    const userId = uniqueUserId();
    const created = await stack.service.create({ userId, tokenId: '1', amount: '5' });
    await stack.service.credit(created.id, '1.5');
    await servers.waitForReplay();
    const before = await replicaReads();
    expect((await stack.service.findById(created.id))?.amount).toBe('6.5');
    expect((await stack.service.getByUser(userId, 10, 0)).map((b) => b.amount)).toEqual(['6.5']);
    expect((await stack.service.getEntries(created.id, 10)).items).toHaveLength(2);
    expect(await replicaReads()).toBe(before + 3);
  });

  it('a replica that is behind is skipped: the primary answers, and the cache is filled from it', async () => {
    const userId = uniqueUserId();
    const created = await stack.service.create({ userId, tokenId: '1', amount: '5' });
    await servers.waitForReplay();
    await servers.setApplyDelay(60_000);
    const behind = await fallbacks('behind');
    const replicaBefore = await replicaReads();
    await stack.service.credit(created.id, '2');
    // The lag is real: the replica itself still holds the old amount.
    expect(await amountOnReplica(created.id)).toBe('5');
    expect((await stack.service.findById(created.id))?.amount).toBe('7');
    expect((await stack.service.getByUser(userId, 10, 0)).map((b) => b.amount)).toEqual(['7']);
    expect(await replicaReads()).toBe(replicaBefore);
    expect(await fallbacks('behind')).toBeGreaterThanOrEqual(behind + 2);
    // What the miss stored is the acknowledged amount, not the replica's.
    expect(cachedAmount(await redis.get(`${stack.keyPrefix}balance:${created.id}`))).toBe('7');
  });

  it('a generation lost from Redis after a write still keeps reads off a lagging replica', async () => {
    const created = await stack.service.create({
      userId: uniqueUserId(),
      tokenId: '1',
      amount: '5',
    });
    await servers.waitForReplay();
    await servers.setApplyDelay(60_000);
    await stack.service.credit(created.id, '3');
    // As after a flush or an eviction: the write's LSN is forgotten with its generation.
    await redis.del(`${stack.keyPrefix}balance:gen:${created.id}`);
    expect(await amountOnReplica(created.id)).toBe('5');
    expect((await stack.service.findById(created.id))?.amount).toBe('8');
    const generation = JSON.parse(
      (await redis.get(`${stack.keyPrefix}balance:gen:${created.id}`)) ?? 'null',
    );
    // The reader that recreated it recorded the primary's position, not nothing.
    expect(lsnOf(generation)).toMatch(/^[0-9a-f]{16}$/);
    expect(cachedAmount(await redis.get(`${stack.keyPrefix}balance:${created.id}`))).toBe('8');
  });

  it('a generation restored from an older snapshot cannot send a miss to a replica that lacks a later write', async () => {
    const created = await stack.service.create({
      userId: uniqueUserId(),
      tokenId: '1',
      amount: '5',
    });
    await stack.service.findById(created.id);
    const generationKey = `${stack.keyPrefix}balance:gen:${created.id}`;
    const beforeWrite = await redis.get(generationKey);
    await servers.waitForReplay();
    await servers.setApplyDelay(60_000);
    await stack.service.credit(created.id, '4'); // acknowledged; the replica will not have it
    // As Redis restarted from a snapshot taken before the credit: the generation is the old
    // one, with its old LSN, and the epoch is gone (a new run), so the next reader begins one.
    await redis.set(generationKey, beforeWrite ?? '');
    await redis.del([`${stack.keyPrefix}balance:epoch`, `${stack.keyPrefix}balance:${created.id}`]);
    expect(await amountOnReplica(created.id)).toBe('5');
    const replicaBefore = await replicaReads();
    expect((await stack.service.findById(created.id))?.amount).toBe('9');
    expect(await replicaReads()).toBe(replicaBefore);
    // The new epoch carries the primary's position: the floor under that old generation.
    const epoch = JSON.parse((await redis.get(`${stack.keyPrefix}balance:epoch`)) ?? 'null');
    expect(lsnOf(epoch)).toMatch(/^[0-9a-f]{16}$/);
    expect((await stack.service.findById(created.id))?.amount).toBe('9');
  });

  it('a generation whose write could not learn its LSN asks the primary, then uses a caught-up replica', async () => {
    const created = await stack.service.create({
      userId: uniqueUserId(),
      tokenId: '1',
      amount: '5',
    });
    await stack.service.credit(created.id, '1');
    // As a write leaves it when the primary could not be asked after its commit: UNKNOWN_LSN,
    // which every later write keeps (it is the highest), so it lasts until the key expires.
    const generationKey = `${stack.keyPrefix}balance:gen:${created.id}`;
    await redis.set(generationKey, JSON.stringify(withLsn('lost-write', UNKNOWN_LSN)));
    await redis.del(`${stack.keyPrefix}balance:${created.id}`);
    await servers.waitForReplay();
    const replicaBefore = await replicaReads();
    const behind = await fallbacks('behind');
    expect((await stack.service.findById(created.id))?.amount).toBe('6');
    expect(await replicaReads()).toBe(replicaBefore + 1);
    expect(await fallbacks('behind')).toBe(behind);
    // Lagging now: the position asked of the primary keeps the read off the replica.
    await servers.setApplyDelay(60_000);
    await stack.service.credit(created.id, '2');
    await redis.set(generationKey, JSON.stringify(withLsn('lost-write-2', UNKNOWN_LSN)));
    expect((await stack.service.findById(created.id))?.amount).toBe('8');
    expect(await replicaReads()).toBe(replicaBefore + 1);
  });

  it('a replica that is down is skipped: the primary answers every read', async () => {
    const userId = uniqueUserId();
    const created = await stack.service.create({ userId, tokenId: '1', amount: '5' });
    await servers.stopReplica();
    try {
      const unavailable = await fallbacks('unavailable');
      await stack.service.credit(created.id, '4');
      expect((await stack.service.findById(created.id))?.amount).toBe('9');
      expect((await stack.service.getByUser(userId, 10, 0)).map((b) => b.amount)).toEqual(['9']);
      expect(await fallbacks('unavailable')).toBeGreaterThanOrEqual(unavailable + 1);
    } finally {
      await servers.startReplica();
    }
  });

  it('with the cache unreachable the primary is asked its position: a caught-up replica answers, a lagging one does not', async () => {
    const offline = buildStack({
      pool,
      kind: 'redis',
      redisUrl: 'redis://127.0.0.1:1',
      replicas: routerToTheReplica,
    });
    const replicaReadsOffline = () =>
      metric(offline.metrics, 'balance_db_reads_total', { target: 'replica' });
    try {
      const created = await stack.service.create({
        userId: uniqueUserId(),
        tokenId: '1',
        amount: '5',
      });
      await servers.waitForReplay();
      expect((await offline.service.findById(created.id))?.amount).toBe('5');
      expect(await replicaReadsOffline()).toBe(1);
      await servers.setApplyDelay(60_000);
      await stack.service.credit(created.id, '5');
      expect(await amountOnReplica(created.id)).toBe('5');
      expect((await offline.service.findById(created.id))?.amount).toBe('10');
      expect(await replicaReadsOffline()).toBe(1);
      expect(
        await metric(offline.metrics, 'balance_replica_fallback_total', { reason: 'behind' }),
      ).toBe(1);
    } finally {
      // Its close() also deletes its keys from a Redis that is not there: that part fails.
      await offline.close().catch(() => {});
    }
  });
});
