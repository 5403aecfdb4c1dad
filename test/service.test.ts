/**
 * The BalanceService's methods, their results and their refusals, with each cache kind.
 */
import { expect, it } from 'vitest';
import {
  DuplicateBalanceError,
  IdempotencyKeyReusedError,
  InsufficientFundsError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../src/errors.js';
import { describeEachCache } from './support/cache-kinds.js';
import { uniqueUserId } from './support/ids.js';

const MISSING_ID = '9223372036854775807';

describeEachCache('reads', (context) => {
  it('findById returns the balance with money and ids as strings, or null', async () => {
    const { service } = context().stack;
    const created = await service.create({
      userId: uniqueUserId(),
      tokenId: '1',
      amount: '0.000000000000000001',
      usdValue: '123456789012345678901234567890',
      address: '0xabc',
    });
    expect(created).toMatchObject({
      amount: '0.000000000000000001',
      usdValue: '123456789012345678901234567890',
      address: '0xabc',
      autoConvertThreshold: null,
      version: '1',
    });
    expect(created.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await service.findById(created.id)).toEqual(created);
    expect(await service.findById(created.id)).toEqual(created);
    expect(await service.findById(MISSING_ID)).toBeNull();
  });

  it('findByUserId, findByUserIdAndTokenId and totalBalanceByUser answer per user', async () => {
    const { service } = context().stack;
    const userId = uniqueUserId();
    const b = await service.create({ userId, tokenId: '2', usdValue: '0.2' });
    const a = await service.create({ userId, tokenId: '1', usdValue: '0.1' });
    expect(await service.findByUserId(userId)).toMatchObject({ items: [a, b], nextCursor: null });
    expect(await service.findByUserIdAndTokenId(userId, '2')).toEqual(b);
    expect(await service.findByUserIdAndTokenId(userId, '3')).toBeNull();
    expect(await service.totalBalanceByUser(userId)).toBe('0.3');
    expect(await service.totalBalanceByUser(uniqueUserId())).toBe('0');
    expect((await service.findByUserId(uniqueUserId())).items).toEqual([]);
  });

  it('getByUser pages by offset and getByUserAfter by cursor, newest first, the same rows', async () => {
    const { service } = context().stack;
    const userId = uniqueUserId();
    for (let token = 1; token <= 5; token++)
      await service.create({ userId, tokenId: String(token) });
    const byOffset = [
      ...(await service.getByUser(userId, 2, 0)),
      ...(await service.getByUser(userId, 2, 2)),
      ...(await service.getByUser(userId, 2, 4)),
    ];
    expect(byOffset.map((b) => b.tokenId)).toEqual(['5', '4', '3', '2', '1']);
    const first = await service.getByUserAfter(userId, 2);
    const second = await service.getByUserAfter(userId, 2, first.nextCursor ?? undefined);
    const third = await service.getByUserAfter(userId, 2, second.nextCursor ?? undefined);
    expect([...first.items, ...second.items, ...third.items]).toEqual(byOffset);
    expect(third.nextCursor).toBeNull();
  });

  it('findByAddress and getAll page what they return', async () => {
    const { service } = context().stack;
    const userId = uniqueUserId();
    const address = `addr-${userId}`;
    const one = await service.create({ userId, tokenId: '1', address });
    const two = await service.create({ userId, tokenId: '2', address });
    expect(await service.findByAddress(address)).toEqual([one, two]);
    expect(await service.findByAddress(address, 1)).toEqual([one]);
    const page = await service.getAll(3, 0);
    expect(page).toHaveLength(3);
    expect(page.map((b) => BigInt(b.id))).toEqual([...page.map((b) => BigInt(b.id))].sort());
  });

  it('refuses bad input with a ValidationError naming the field, before any query', async () => {
    const { service } = context().stack;
    await expect(service.findById('abc')).rejects.toThrow(ValidationError);
    await expect(service.findById('0')).rejects.toMatchObject({ field: 'id' });
    await expect(service.findById('9223372036854775808')).rejects.toMatchObject({ field: 'id' });
    await expect(service.getAll(101, 0)).rejects.toMatchObject({ field: 'limit' });
    await expect(service.getAll(0, 0)).rejects.toMatchObject({ field: 'limit' });
    await expect(service.getByUser('1', 10, -1)).rejects.toMatchObject({ field: 'offset' });
    await expect(service.getByUserAfter('1', 10, 'not-a-cursor')).rejects.toMatchObject({
      field: 'cursor',
    });
    const tokenCursor = Buffer.from('["token","5"]').toString('base64url');
    await expect(service.getByUserAfter('1', 101, tokenCursor)).rejects.toMatchObject({
      field: 'limit',
    });
  });
});

describeEachCache('writes', (context) => {
  it('create refuses a second balance for the same user and token', async () => {
    const { service } = context().stack;
    const userId = uniqueUserId();
    await service.create({ userId, tokenId: '1' });
    await expect(service.create({ userId, tokenId: '1' })).rejects.toThrow(DuplicateBalanceError);
  });

  it('credit and debit move exact amounts and journal each movement', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '1' });
    const credited = await service.credit(id, '0.000000000000000001');
    expect(credited.balance).toMatchObject({ amount: '1.000000000000000001', version: '2' });
    expect(credited.entry).toMatchObject({ kind: 'credit', amount: '0.000000000000000001' });
    const debited = await service.debit(id, '1');
    expect(debited.balance.amount).toBe('0.000000000000000001');
    const journal = await service.getEntries(id, 10);
    expect(journal.items.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ['debit', '1', '0.000000000000000001'],
      ['credit', '0.000000000000000001', '1.000000000000000001'],
      ['adjustment', '1', '1'], // the opening amount
    ]);
    expect(journal.nextCursor).toBeNull();
  });

  it('debit beyond the balance fails with InsufficientFundsError and changes nothing', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '5' });
    await expect(service.debit(id, '5.000000000000000001')).rejects.toThrow(InsufficientFundsError);
    expect(await service.findById(id)).toMatchObject({ amount: '5', version: '1' });
    expect((await service.getEntries(id, 10)).items.map((e) => e.kind)).toEqual(['adjustment']);
  });

  it('refuses amounts that are not positive decimal strings with at most 18 decimals', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '5' });
    for (const amount of ['0', '-1', '1e3', '0.0000000000000000001', ' 1', '01', '', '1.']) {
      await expect(service.credit(id, amount), amount).rejects.toMatchObject({ field: 'amount' });
    }
    await expect(service.credit(id, 1 as unknown as string)).rejects.toThrow(ValidationError);
    expect(await service.findById(id)).toMatchObject({ amount: '5', version: '1' });
  });

  it('50 concurrent debits never overdraw and leave the exact remainder', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '30.25' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () => service.debit(id, '1.5')),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.length - refused.length).toBe(20);
    for (const o of refused)
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientFundsError);
    expect(await service.findById(id)).toMatchObject({ amount: '0.25', version: '21' });
  });

  it('credit and debit of a missing balance fail with NotFoundError', async () => {
    const { service } = context().stack;
    await expect(service.credit(MISSING_ID, '1')).rejects.toThrow(NotFoundError);
    await expect(service.debit(MISSING_ID, '1')).rejects.toThrow(NotFoundError);
  });

  it('update changes given fields, clears nullable ones with null, and checks the version', async () => {
    const { service } = context().stack;
    const created = await service.create({ userId: uniqueUserId(), tokenId: '1', address: 'a' });
    const updated = await service.update(created.id, { usdValue: '9.99', address: null });
    expect(updated).toMatchObject({ usdValue: '9.99', address: null, version: '2' });
    await expect(
      service.update(created.id, { amount: '1' }, { expectedVersion: '1' }),
    ).rejects.toThrow(VersionConflictError);
    expect(
      await service.update(created.id, { amount: '1' }, { expectedVersion: '2' }),
    ).toMatchObject({
      amount: '1',
      version: '3',
    });
    await expect(service.update(created.id, {})).rejects.toThrow(ValidationError);
    await expect(service.update(MISSING_ID, { amount: '1' })).rejects.toThrow(NotFoundError);
    expect((await service.getEntries(created.id, 10)).items).toMatchObject([
      { kind: 'adjustment', amount: '1', balanceAfter: '1' },
    ]);
  });

  it('delete removes the balance, and a second delete is NotFoundError', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1' });
    await service.delete(id);
    expect(await service.findById(id)).toBeNull();
    await expect(service.delete(id)).rejects.toThrow(NotFoundError);
  });

  it('getEntries pages the journal newest first', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1' });
    for (const amount of ['1', '2', '3']) await service.credit(id, amount);
    const first = await service.getEntries(id, 2);
    const second = await service.getEntries(id, 2, first.nextCursor ?? undefined);
    expect([...first.items, ...second.items].map((e) => e.amount)).toEqual(['3', '2', '1']);
    expect(second.nextCursor).toBeNull();
  });
});

describeEachCache('idempotency keys', (context) => {
  it('a repeat with the same key and request returns the first result and moves nothing', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '10' });
    const key = `debit-${uniqueUserId()}`;
    const first = await service.debit(id, '3', { idempotencyKey: key });
    const again = await service.debit(id, '3', { idempotencyKey: key });
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await service.findById(id)).toMatchObject({ amount: '7', version: '2' });
    expect((await service.getEntries(id, 10)).items.map((e) => e.kind)).toEqual([
      'debit',
      'adjustment',
    ]);
  });

  it('the same amount written differently ("1.50", "1.5") is the same request', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1' });
    const key = `same-${uniqueUserId()}`;
    await service.credit(id, '1.50', { idempotencyKey: key });
    expect((await service.credit(id, '1.5', { idempotencyKey: key })).replayed).toBe(true);
    expect(await service.findById(id)).toMatchObject({ amount: '1.5', version: '2' });
  });

  it('the same key with a different request is refused and changes nothing', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '10' });
    const key = `credit-${uniqueUserId()}`;
    await service.credit(id, '1', { idempotencyKey: key });
    await expect(service.credit(id, '2', { idempotencyKey: key })).rejects.toThrow(
      IdempotencyKeyReusedError,
    );
    await expect(service.debit(id, '1', { idempotencyKey: key })).rejects.toThrow(
      IdempotencyKeyReusedError,
    );
    expect(await service.findById(id)).toMatchObject({ amount: '11', version: '2' });
  });

  it('concurrent requests with one key move the money once and all get that result', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1' });
    const key = `burst-${uniqueUserId()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => service.credit(id, '2.5', { idempotencyKey: key })),
    );
    expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await service.findById(id)).toMatchObject({ amount: '2.5', version: '2' });
  });

  it('a refused debit keeps no key, so the same key can succeed later', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1', amount: '1' });
    const key = `retry-${uniqueUserId()}`;
    await expect(service.debit(id, '2', { idempotencyKey: key })).rejects.toThrow(
      InsufficientFundsError,
    );
    await service.credit(id, '1');
    expect((await service.debit(id, '2', { idempotencyKey: key })).balance.amount).toBe('0');
  });

  it('refuses keys that are empty, too long or not visible ASCII', async () => {
    const { service } = context().stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1' });
    for (const key of ['', 'x'.repeat(256), 'has space', 'ünïcode']) {
      await expect(service.credit(id, '1', { idempotencyKey: key })).rejects.toMatchObject({
        field: 'idempotencyKey',
      });
    }
  });

  it('keys are kept 24 hours, then purged', async () => {
    const { stack, pool } = context();
    const { service } = stack;
    const { id } = await service.create({ userId: uniqueUserId(), tokenId: '1' });
    const key = `aged-${uniqueUserId()}`;
    await service.credit(id, '1', { idempotencyKey: key });
    // Age this key alone: other tests' keys in the same database stay fresh.
    const age = (hours: number) =>
      pool.query(
        `UPDATE idempotency_keys SET created_at = now() - make_interval(hours => $2) WHERE key = $1`,
        [key, hours],
      );
    await age(23);
    await service.purgeExpiredIdempotencyKeys();
    expect((await service.credit(id, '1', { idempotencyKey: key })).replayed).toBe(true);
    await age(25);
    expect(await service.purgeExpiredIdempotencyKeys()).toBeGreaterThanOrEqual(1);
    expect((await service.credit(id, '1', { idempotencyKey: key })).replayed).toBe(false);
  });
});
