/**
 * The cache's promises, with each cache kind: the original model's keys and TTLs, invalidation
 * by every write, hits on repeated reads, no stale fill under the worst interleaving, one query
 * per stampede.
 */
import { expect, it } from 'vitest';
import type { BalanceService } from '../src/service/balance-service.js';
import { describeEachCache } from './support/cache-kinds.js';
import { uniqueUserId } from './support/ids.js';
import { withClient } from './support/redis.js';
import { buildStack, metricValue, pauseNextQuery } from './support/service.js';

/** Reads every cached view of one balance, so each is in the cache afterwards. */
async function readAll(
  service: BalanceService,
  b: { id: string; userId: string; tokenId: string },
) {
  return {
    byId: await service.findById(b.id),
    byUser: await service.findByUserId(b.userId),
    byToken: await service.findByUserIdAndTokenId(b.userId, b.tokenId),
    total: await service.totalBalanceByUser(b.userId),
  };
}

describeEachCache('cache', (context) => {
  it('repeated reads are answered from the cache', async () => {
    const { service, metrics } = context().stack;
    const b = await service.create({ userId: uniqueUserId(), tokenId: '1', usdValue: '2' });
    const first = await readAll(service, b);
    const second = await readAll(service, b);
    expect(second).toEqual(first);
    for (const query of [
      'findById',
      'findByUserId',
      'findByUserIdAndTokenId',
      'totalBalanceByUser',
    ]) {
      expect(await metricValue(metrics, 'balance_cache_miss_total', query), query).toBe(1);
      expect(await metricValue(metrics, 'balance_cache_hit_total', query), query).toBe(1);
      expect(await metricValue(metrics, 'balance_query_duration_seconds', query), query).toBe(1);
    }
  });

  it('every write makes every view it changed fresh again', async () => {
    const { service } = context().stack;
    const userId = uniqueUserId();
    const b = await service.create({ userId, tokenId: '1', amount: '10', usdValue: '1' });
    const expectFresh = async (amount: string, usdValue: string) => {
      const views = await readAll(service, b);
      expect(views.byId).toMatchObject({ amount, usdValue });
      expect(views.byToken).toMatchObject({ amount, usdValue });
      expect(views.byUser.items.find((x) => x.id === b.id)).toMatchObject({ amount, usdValue });
    };
    await readAll(service, b);

    await service.credit(b.id, '5');
    await expectFresh('15', '1');
    await service.debit(b.id, '3', { idempotencyKey: `k-${uniqueUserId()}` });
    await expectFresh('12', '1');
    await service.update(b.id, { usdValue: '7' });
    await expectFresh('12', '7');
    expect(await service.totalBalanceByUser(userId)).toBe('7');

    const other = await service.create({ userId, tokenId: '2', usdValue: '3' });
    expect((await service.findByUserId(userId)).items.map((x) => x.id)).toEqual([b.id, other.id]);
    expect(await service.totalBalanceByUser(userId)).toBe('10');

    // Only an empty balance can be deleted (closed).
    await service.debit(b.id, '12');
    await expectFresh('0', '7');
    await service.delete(b.id);
    expect(await service.findById(b.id)).toBeNull();
    expect(await service.findByUserIdAndTokenId(userId, '1')).toBeNull();
    expect((await service.findByUserId(userId)).items.map((x) => x.id)).toEqual([other.id]);
    expect(await service.totalBalanceByUser(userId)).toBe('3');
  });

  it('a read paused between its database read and its cache store cannot leave a stale value', async () => {
    const { pool, kind, redisUrl } = context();
    const gate = pauseNextQuery(
      pool,
      /^SELECT[\s\S]*FROM balances\s+WHERE id = \$1\s+AND deleted_at IS NULL$/,
    );
    const stack = buildStack({ pool: gate.pool, kind, redisUrl });
    try {
      const { service } = stack;
      const b = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '10' });

      const slowRead = service.findById(b.id); // misses, reads amount 10, then waits
      await gate.reached;
      await service.debit(b.id, '4'); // commits and invalidates while the read is paused
      gate.release(); // the read now stores what it read before the debit
      expect((await slowRead)?.amount).toBe('10'); // it began before the debit: allowed

      for (let i = 0; i < 3; i++) expect((await service.findById(b.id))?.amount).toBe('6');
      expect(
        await metricValue(stack.metrics, 'balance_cache_hit_total', 'findById'),
      ).toBeGreaterThan(0);
    } finally {
      await stack.close();
    }
  });

  it('hands out copies, so no reader can change what the next one is served', async () => {
    const { service } = context().stack;
    const b = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '3' });
    // Balances and lists are cached as text: every reader gets a copy of its own.
    const first = await service.findById(b.id);
    (first as { amount: string }).amount = '1000';
    expect((await service.findById(b.id))?.amount).toBe('3');
    const list = await service.findByUserId(b.userId);
    (list.items[0] as { amount: string }).amount = '1000';
    expect((await service.findByUserId(b.userId)).items[0]?.amount).toBe('3');
  });

  it('concurrent misses on one key make one database query', async () => {
    const { service, metrics } = context().stack;
    const b = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '3' });
    const reads = await Promise.all(Array.from({ length: 25 }, () => service.findById(b.id)));
    expect(new Set(reads.map((r) => r?.amount))).toEqual(new Set(['3']));
    expect(await metricValue(metrics, 'balance_query_duration_seconds', 'findById')).toBe(1);
  });

  it('a read that starts after a write never joins a read that started before it', async () => {
    const { pool, kind, redisUrl } = context();
    const gate = pauseNextQuery(
      pool,
      /^SELECT[\s\S]*FROM balances\s+WHERE id = \$1\s+AND deleted_at IS NULL$/,
    );
    const stack = buildStack({ pool: gate.pool, kind, redisUrl });
    try {
      const { service } = stack;
      const b = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '10' });
      const early = service.findById(b.id);
      await gate.reached;
      await service.credit(b.id, '1');
      const late = service.findById(b.id); // would get 10 if it joined the paused read
      gate.release();
      expect((await early)?.amount).toBe('10');
      expect((await late)?.amount).toBe('11');
    } finally {
      await stack.close();
    }
  });
});

// The memory store has no keys to inspect from outside the process.
describeEachCache(
  'keys',
  (context) => {
    it('are the original model’s, with its TTLs, and writes delete them', async () => {
      const { stack, redisUrl } = context();
      const { service, keyPrefix } = stack;
      const userId = uniqueUserId();
      const b = await service.create({ userId, tokenId: '4', amount: '1' });
      await readAll(service, b);
      const expected: Record<string, number> = {
        [`balance:${b.id}`]: 300,
        [`balance:user:${userId}`]: 60,
        [`balance:user:${userId}:token:4`]: 300,
        [`balance:user:${userId}:total`]: 120,
      };
      await withClient(redisUrl, async (redis) => {
        for (const [key, ttl] of Object.entries(expected)) {
          const seconds = await redis.ttl(keyPrefix + key);
          expect(seconds, key).toBeGreaterThan(ttl - 5);
          expect(seconds, key).toBeLessThanOrEqual(ttl);
        }
        const listed = [];
        for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}balance:*` }))
          listed.push(...keys);
        expect(listed).toEqual(
          expect.arrayContaining(Object.keys(expected).map((k) => keyPrefix + k)),
        );

        await service.credit(b.id, '1');
        for (const key of Object.keys(expected))
          expect(await redis.exists(keyPrefix + key), key).toBe(0);
      });
    });

    it('hold a balance as the JSON answered, and an earlier version’s object is read past', async () => {
      const { stack, redisUrl } = context();
      const { service, keyPrefix, metrics } = stack;
      const b = await service.create({ userId: uniqueUserId(), tokenId: '4', amount: '1' });
      const byId = await service.findById(b.id);
      const byToken = await service.findByUserIdAndTokenId(b.userId, '4');
      const keys = [`balance:${b.id}`, `balance:user:${b.userId}:token:4`];
      await withClient(redisUrl, async (redis) => {
        for (const key of keys) {
          const raw = (await redis.get(keyPrefix + key)) ?? '';
          const [header, text] = raw.split('\n') as [string, string];
          expect(text, key).toBe(`${b.userId} ${b.version} ${JSON.stringify(byId)}`);
          // The object an earlier version stored, under the current epoch and generation.
          const [, epoch, generation] = header.split(' ');
          const old = { e: epoch, g: generation, v: { ...byId, amount: '999' } };
          await redis.set(keyPrefix + key, JSON.stringify(old), { KEEPTTL: true });
        }
      });
      const hits = async () =>
        (await metricValue(metrics, 'balance_cache_hit_total', 'findById')) +
        (await metricValue(metrics, 'balance_cache_hit_total', 'findByUserIdAndTokenId'));
      const before = await hits();
      expect(await service.findById(b.id)).toEqual(byId);
      expect(await service.findByUserIdAndTokenId(b.userId, '4')).toEqual(byToken);
      expect(await hits()).toBe(before + 2); // found, and not served
    });
  },
  ['redis'],
);

// Two services on one Redis prefix stand for two processes of one deployment.
describeEachCache(
  'shared Redis',
  (context) => {
    it('a read that joins a shared read after another process wrote gets the new value', async () => {
      const { pool, redisUrl, stack: writer } = context();
      const gate = pauseNextQuery(
        pool,
        /^SELECT[\s\S]*FROM balances\s+WHERE id = \$1\s+AND deleted_at IS NULL$/,
      );
      const reader = buildStack({
        pool: gate.pool,
        kind: 'redis',
        redisUrl,
        keyPrefix: writer.keyPrefix,
      });
      try {
        const b = await writer.service.create({
          userId: uniqueUserId(),
          tokenId: '1',
          amount: '10',
        });
        const early = reader.service.findById(b.id); // misses, reads amount 10, then waits
        await gate.reached;
        await writer.service.debit(b.id, '4'); // another process: cannot detach the shared read
        const late = reader.service.findById(b.id); // joins the paused read
        gate.release();
        expect((await early)?.amount).toBe('10');
        expect((await late)?.amount).toBe('6');
        expect((await reader.service.findById(b.id))?.amount).toBe('6');
      } finally {
        await reader.close();
      }
    });
  },
  ['redis'],
);
